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
    private let failing = Mutex<[String]>([])

    public init() {}

    /// True once the models are warm; what the prediction routes wait for.
    public var isReady: Bool { warmed.load(ordering: .acquiring) }

    /// Why `/readyz` is false, or nil when the replica is ready for traffic. It names the
    /// dependencies that are down and nothing more: `/readyz` needs no key, and the probe's
    /// detail (URLs, paths, the server's own error text) is for the log.
    public var unavailableReason: String? {
        guard isReady else { return "the models are still loading" }
        let failing = failing.withLock { $0 }
        guard !failing.isEmpty else { return nil }
        return "\(failing.joined(separator: " and ")) not answering; see the server log"
    }

    /// Called once the process can do its work: `serve` after warm-up, `worker` once its
    /// handlers are built.
    public func markReady() { warmed.store(true, ordering: .releasing) }

    /// Records the last probe's finding: empty when every dependency answered.
    func recordProbe(failures: [ReadinessProbe.Failure]) { failing.withLock { $0 = failures.map(\.dependency) } }
}
