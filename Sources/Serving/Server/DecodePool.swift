import Classification
import Synchronization

/// Threads for decoding uploads, apart from Swift's cooperative pool and the event loops.
///
/// A decode blocks its thread for milliseconds; on the cooperative pool that would stall every
/// other request's continuation (the cache-hit path among them). Dedicated serial executors,
/// used round robin, bound decode concurrency and leave the pool to short work.
final class DecodePool: Sendable {
    private let executors: [BlockingExecutor]
    private let next = Atomic<Int>(0)

    init(threads: Int) {
        executors = (0..<max(1, threads)).map { BlockingExecutor(label: "lenscale.decode.\($0)") }
    }

    func run<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let index = next.add(1, ordering: .relaxed).oldValue % executors.count
        return try await executors[index].run(work)
    }
}
