import Synchronization

/// How many event streams and long polls each API key holds open at once.
///
/// Why per key: each open stream is a connection, a task, and on SQLite a poll of the database
/// every 0.25 s; without a cap one key (or one leaked client loop) can open thousands and starve
/// every other client. A key over its share is answered 429 and keeps the streams it has.
final class StreamSlots: Sendable {
    let perKey: Int
    private let open = Mutex<[String: Int]>([:])

    init(perKey: Int) { self.perKey = max(1, perKey) }

    /// Runs `body` holding one of `key`'s slots, or throws 429 when it has none left. The slot
    /// is held until `body` returns, so for a stream pass the work that writes it.
    func withSlot<T>(for key: String, _ body: () async throws -> T) async throws -> T {
        try take(key)
        defer { give(key) }
        return try await body()
    }

    /// Takes a slot that the caller must `give` back (for a stream whose body outlives the route).
    func take(_ key: String) throws(APIError) {
        let taken = open.withLock { open -> Bool in
            let count = open[key, default: 0]
            guard count < perKey else { return false }
            open[key] = count + 1
            return true
        }
        guard taken else {
            throw APIError(.tooManyRequests, code: "too_many_streams",
                           message: "this key already holds \(perKey) open event streams or long polls (limits.max_streams_per_key); close one", retryAfter: 5)
        }
    }

    func give(_ key: String) {
        open.withLock { open in
            let count = open[key, default: 0] - 1
            open[key] = count > 0 ? count : nil
        }
    }

    func held(by key: String) -> Int { open.withLock { $0[key, default: 0] } }
}
