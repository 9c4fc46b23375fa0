import Synchronization

/// Memory for pixels, shared by every decode in the process and reserved before a decode
/// allocates.
///
/// Why a budget on top of `DecodeLimits`: the limits bound one image, but a server decodes many
/// at once, and a few hundred kilobytes of PNG can ask for gigabytes of pixels. Checking each
/// image against `maxPixels` still lets twenty of them at the limit take 15 GB together. Here
/// each decode first reserves what it will hold at its peak (`ImageDecoder.peakBytes`); when
/// the budget is spent it waits, in arrival order, for earlier decodes to finish, and gives up
/// after `wait` so the caller can answer 503 with `Retry-After` instead of queueing without end.
/// An image that alone needs more than the whole budget is refused at once: waiting cannot help.
public final class DecodeBudget: Sendable {
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// The image alone needs more than the whole budget.
        case tooLarge(bytes: Int, capacity: Int)
        /// The budget stayed spent for the whole wait.
        case busy(waited: Duration)

        public var description: String {
            switch self {
            case .tooLarge(let bytes, let capacity):
                "decoding this image needs \(bytes / 1_048_576) MiB of pixel memory, more than the \(capacity / 1_048_576) MiB budget; send a smaller image or raise limits.decode_budget_bytes"
            case .busy(let waited):
                "every byte of the decode budget was in use for \(waited); retry shortly"
            }
        }
    }

    private struct Waiter {
        let id: UInt64
        let bytes: Int
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
        /// Waiters that gave up (deadline or cancellation) before they were queued.
        var abandoned: Set<UInt64> = []
        /// Waiters with an id that are neither granted nor gone.
        var pending: Set<UInt64> = []
    }

    /// Sized for a 2-core, 4 GB node beside the upload budget (512 MiB) and the models: one
    /// image at the default pixel limit (100 MP of 8-bit PNG peaks at about 700 MB), or dozens
    /// of phone photos at once.
    public static let defaultCapacity = 1024 * 1024 * 1024

    public let capacity: Int
    private let clock: any Clock<Duration>
    private let state: Mutex<State>

    public init(capacity: Int, clock: any Clock<Duration> = ContinuousClock()) {
        self.capacity = max(1, capacity)
        self.clock = clock
        state = Mutex(State(available: max(1, capacity)))
    }

    /// Bytes not reserved now.
    public var available: Int { state.withLock { $0.available } }

    /// Takes `bytes`, waiting (in arrival order) at most `wait`; pair with `release(_:)`.
    public func reserve(_ bytes: Int, waiting wait: Duration) async throws(Refusal) {
        let bytes = max(0, bytes)
        guard bytes <= capacity else { throw .tooLarge(bytes: bytes, capacity: capacity) }
        let id: UInt64? = state.withLock { state in
            if state.waiters.isEmpty, state.available >= bytes {
                state.available -= bytes
                return nil
            }
            state.nextID += 1
            state.pending.insert(state.nextID)
            return state.nextID
        }
        guard let id else { return }
        let granted = await withTaskGroup(of: Void.self) { group -> Bool in
            group.addTask { [clock] in
                do { try await clock.sleep(for: wait) } catch { return }
                self.giveUp(id)
            }
            let granted = await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let ready = state.withLock { state -> Bool? in
                        if state.abandoned.remove(id) != nil {
                            state.pending.remove(id)
                            return false
                        }
                        if state.waiters.isEmpty, state.available >= bytes {
                            state.available -= bytes
                            state.pending.remove(id)
                            return true
                        }
                        state.waiters.append(Waiter(id: id, bytes: bytes, continuation: continuation))
                        return nil
                    }
                    if let ready { continuation.resume(returning: ready) }
                }
            } onCancel: {
                self.giveUp(id)
            }
            group.cancelAll()
            return granted
        }
        guard granted else { throw .busy(waited: wait) }
    }

    /// Returns `bytes` and wakes the waiters they now cover, first come first served.
    public func release(_ bytes: Int) {
        let woken = state.withLock { state -> [Waiter] in
            state.available = min(capacity, state.available + max(0, bytes))
            return Self.grant(&state)
        }
        for waiter in woken { waiter.continuation.resume(returning: true) }
    }

    /// The waiter `id` stops waiting (its deadline passed or its task was cancelled), unless it
    /// was granted already.
    private func giveUp(_ id: UInt64) {
        let (left, woken) = state.withLock { state -> (Waiter?, [Waiter]) in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                // Not queued yet: it will see this when it tries. Granted already: nothing to do.
                if state.pending.contains(id) { state.abandoned.insert(id) }
                return (nil, [])
            }
            let left = state.waiters.remove(at: index)
            state.pending.remove(id)
            // The head may have been the one blocking smaller requests behind it.
            return (left, Self.grant(&state))
        }
        left?.continuation.resume(returning: false)
        for waiter in woken { waiter.continuation.resume(returning: true) }
    }

    private static func grant(_ state: inout State) -> [Waiter] {
        var woken: [Waiter] = []
        while let first = state.waiters.first, first.bytes <= state.available {
            state.available -= first.bytes
            state.pending.remove(first.id)
            woken.append(state.waiters.removeFirst())
        }
        return woken
    }
}
