import Synchronization

/// Runs work with a time limit it cannot overrun, whether or not the work honours cancellation:
/// PostgreSQL calls, the listener's waits and the readiness probe's checks all stop waiting on it.
///
/// Why not a task group racing a timer: a group returns only when every child has returned, so a
/// child awaiting a future that never completes (PostgresNIO can drop a query sent on a
/// connection the server has just closed, and its futures ignore cancellation) keeps the caller
/// waiting forever, which is exactly the hang this exists to end. Here the caller waits on a
/// continuation that the first of three things settles: the work's result, the timer, or the
/// caller's own cancellation. The losers are cancelled, and `onExpiry` (closing the connection
/// the work runs on) makes any future still pending fail, so the work task ends too in every
/// case PostgresNIO can end it; a task that even then never returns stays suspended, holding no
/// lease that the pool does not reclaim once its connection is closed.
package enum Expiring {
    /// The limit passed before the work finished; `onExpiry` has run.
    package struct Expired: Error, Sendable {
        package let limit: Duration
    }

    /// `operation`'s value, or `Expired` once `limit` has passed on `clock`, or `CancellationError`
    /// as soon as the calling task is cancelled. `onExpiry` runs once on either of the last two.
    package static func run<T: Sendable>(
        within limit: Duration,
        on clock: any Clock<Duration> = ContinuousClock(),
        onExpiry: @escaping @Sendable () -> Void = {},
        _ operation: sending @escaping () async throws -> T
    ) async throws -> T {
        let race = Race<T>()
        let work = Task {
            do { race.settle(.success(try await operation())) } catch { race.settle(.failure(error)) }
        }
        let timer = Task {
            do { try await clock.sleep(for: limit) } catch { return }
            if race.settle(.failure(Expired(limit: limit))) { onExpiry() }
        }
        race.attach([work, timer])
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { race.install($0) }
        } onCancel: {
            if race.settle(.failure(CancellationError())) { onExpiry() }
        }
    }
}

/// The outcome of an `Expiring.run`: the first one offered wins, and reaches the caller as soon
/// as both it and the caller's continuation are there.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var outcome: Result<T, any Error>?
        var settled = false
        var tasks: [Task<Void, Never>] = []
    }

    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let ready = state.withLock { state -> Result<T, any Error>? in
            guard let outcome = state.outcome else {
                state.continuation = continuation
                return nil
            }
            state.outcome = nil
            return outcome
        }
        if let ready { continuation.resume(with: ready) }
    }

    /// The tasks to cancel once settled (at once, if that has already happened).
    func attach(_ tasks: [Task<Void, Never>]) {
        let late = state.withLock { state -> Bool in
            if !state.settled { state.tasks = tasks }
            return state.settled
        }
        if late { for task in tasks { task.cancel() } }
    }

    /// Offers `outcome`; true when it is the first, and so the one the caller gets.
    @discardableResult
    func settle(_ outcome: Result<T, any Error>) -> Bool {
        let (won, continuation, tasks) = state.withLock { state -> (Bool, CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
            guard !state.settled else { return (false, nil, []) }
            state.settled = true
            let continuation = state.continuation
            if continuation == nil { state.outcome = outcome }
            defer {
                state.continuation = nil
                state.tasks = []
            }
            return (true, continuation, state.tasks)
        }
        for task in tasks { task.cancel() }
        continuation?.resume(with: outcome)
        return won
    }
}
