import Classification

/// CPU-heavy test work (decoding and classifying every photo) on threads of its own.
///
/// Swift Testing runs synchronous tests on the cooperative pool, which has one thread per core:
/// two such tests running at once on a 2-core machine park every other test's continuations
/// until they end, and tests that poll for a task to reach a point (`DecodeBudgetTests`) time out
/// waiting. Tests return their measurements from here and check them back on the pool, where
/// `#expect` knows which test it belongs to.
public enum OffPool {
    static let threads = BackgroundThreads(count: 2, name: "test-heavy")

    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await threads.run { () throws(any Error) -> T in try work() }
    }
}
