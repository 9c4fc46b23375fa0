/// Runs one computation per key at a time: concurrent callers for the same uncached image share
/// the first caller's result instead of each decoding and inferring it.
///
/// The shared task is unstructured on purpose: it must outlive any single caller, so the first
/// caller disconnecting does not fail the others. It is cancelled when every waiter has gone.
actor SingleFlight<Key: Hashable & Sendable, Value: Sendable> {
    private struct Flight {
        var task: Task<Value, any Error>
        var waiters: Int
    }

    private var flights: [Key: Flight] = [:]

    func run(_ key: Key, _ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task: Task<Value, any Error>
        if var flight = flights[key] {
            flight.waiters += 1
            flights[key] = flight
            task = flight.task
        } else {
            task = Task { try await work() }
            flights[key] = Flight(task: task, waiters: 1)
        }
        defer { leave(key) }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            Task { await self.abandon(key) }
        }
    }

    private func leave(_ key: Key) {
        guard var flight = flights[key] else { return }
        flight.waiters -= 1
        if flight.waiters <= 0 { flights[key] = nil } else { flights[key] = flight }
    }

    /// A waiter was cancelled: when it was the last, the work is no longer wanted.
    private func abandon(_ key: Key) {
        guard let flight = flights[key], flight.waiters <= 1 else { return }
        flight.task.cancel()
    }
}
