import Synchronization

/// Threads for decoding and hashing images, apart from Swift's cooperative pool and the event
/// loops, with a bounded queue in front of them.
///
/// A decode blocks its thread for milliseconds to seconds; on the cooperative pool that would
/// stall every other task's continuation (the cache-hit path, `/healthz`, the queue's
/// heartbeats). Dedicated serial executors, used round robin, bound decode concurrency and leave
/// the pool to short work. The queue is bounded too: past `maxQueued` waiting decodes, `run`
/// refuses at once (`Full`), so a flood of uploads is answered 429 instead of piling up.
public final class DecodePool: Sendable {
    /// Every executor is busy and `maxQueued` decodes already wait.
    public struct Full: Error, Sendable, CustomStringConvertible {
        public let queued: Int
        public var description: String { "\(queued) decodes are already waiting; retry shortly" }
    }

    private let executors: [BlockingExecutor]
    private let next = Atomic<Int>(0)
    private let inFlight = Atomic<Int>(0)
    /// Decodes allowed to wait beyond those running.
    public let maxQueued: Int

    public var threads: Int { executors.count }
    /// Decodes running or waiting now.
    public var admitted: Int { inFlight.load(ordering: .relaxed) }

    public init(threads: Int, maxQueued: Int = 256) {
        executors = (0..<max(1, threads)).map { BlockingExecutor(label: "lenscale.decode.\($0)") }
        self.maxQueued = max(0, maxQueued)
    }

    /// Runs `work` on one of the pool's threads, or throws `Full` without running it.
    public func run<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws -> T {
        let admitted = inFlight.add(1, ordering: .relaxed).newValue
        defer { inFlight.subtract(1, ordering: .relaxed) }
        guard admitted <= executors.count + maxQueued else { throw Full(queued: admitted - 1 - executors.count) }
        let index = next.add(1, ordering: .relaxed).oldValue % executors.count
        return try await executors[index].run(work)
    }
}
