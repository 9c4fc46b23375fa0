import Synchronization

/// Whether this replica should get traffic: the models are loaded and every configured batch
/// size has run once, and the last dependency probe (`ReadinessProbe`) found the catalog and the
/// store answering.
///
/// The two halves are kept apart because they mean different things to different callers: the
/// prediction routes only need warm models (a cached answer needs no catalog), while `/readyz`
/// tells a load balancer to drain the replica when a dependency is down.
public final class Readiness: Sendable {
    private let warmed = Atomic<Bool>(false)
    private let failure = Mutex<String?>(nil)

    public init() {}

    /// True once the models are warm; what the prediction routes wait for.
    public var isReady: Bool { warmed.load(ordering: .acquiring) }

    /// Why `/readyz` is false, or nil when the replica is ready for traffic.
    public var unavailableReason: String? {
        guard isReady else { return "the models are still loading" }
        return failure.withLock { $0 }
    }

    func markReady() { warmed.store(true, ordering: .releasing) }

    /// Records the last probe's finding: nil when every dependency answered.
    func recordProbe(failure reason: String?) { failure.withLock { $0 = reason } }
}
