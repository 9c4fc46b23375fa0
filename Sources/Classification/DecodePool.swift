import Synchronization

/// Threads for decoding and hashing images, apart from Swift's cooperative pool and the event
/// loops, with a bounded queue in front of them.
///
/// A decode blocks its thread for milliseconds to seconds; on the cooperative pool that would
/// stall every other task's continuation (the cache-hit path, `/healthz`, the queue's
/// heartbeats). Threads of its own (`BackgroundThreads`, at a lower priority than the threads
/// that answer requests) bound decode concurrency and leave the pool to short work. The queue
/// is bounded too: past `maxQueued` waiting decodes, `run` refuses at once (`Full`), so a flood
/// of uploads is answered 429 instead of piling up.
public final class DecodePool: Sendable {
    /// Every executor is busy and `maxQueued` decodes already wait.
    public struct Full: Error, Sendable, CustomStringConvertible {
        public let queued: Int
        public var description: String { "\(queued) decodes are already waiting; retry shortly" }
    }

    /// How much lower than the rest of the process decoders run: under load the cores go to
    /// accepting and answering first. With `bench/hostile/run.sh` (README), +5 halved the median
    /// `/healthz` under 200 uploads and took its slowest from up to 267 ms to up to 147 ms; +10
    /// (tried on decoding and inference together) cut the uploads served from about 125 to 47.
    public static let niceness: Int32 = 5

    private let workers: BackgroundThreads
    private let inFlight = Atomic<Int>(0)
    /// Decodes allowed to wait beyond those running.
    public let maxQueued: Int

    public var threads: Int { workers.count }
    /// Decodes running or waiting now.
    public var admitted: Int { inFlight.load(ordering: .relaxed) }

    public init(threads: Int, maxQueued: Int = 256) {
        workers = BackgroundThreads(count: threads, name: "decode", niceness: Self.niceness)
        self.maxQueued = max(0, maxQueued)
    }

    /// Runs `work` on one of the pool's threads, or throws `Full` without running it.
    public func run<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws -> T {
        let admitted = inFlight.add(1, ordering: .relaxed).newValue
        defer { inFlight.subtract(1, ordering: .relaxed) }
        guard admitted <= workers.count + maxQueued else { throw Full(queued: admitted - 1 - workers.count) }
        return try await workers.run(work)
    }
}
