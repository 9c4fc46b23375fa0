import Catalog
import Storage
import Synchronization

/// Checks the catalog and the object store on a fixed interval, each under a short deadline,
/// and records the outcome in `Readiness`, so `/readyz` turns false while either is unreachable
/// and true again once both answer; a load balancer then drains the replica by itself.
///
/// A probe is a cheap read that touches the dependency for real: a catalog lookup by an
/// impossible hash, a HEAD of a key nobody writes. The deadline does not rely on the dependency
/// honouring cancellation (a stalled connection often does not): the probe stops waiting and
/// reports, and the abandoned call finishes or fails on its own.
public struct ReadinessProbe: Sendable {
    public struct Dependency: Sendable {
        public var name: String
        public var check: @Sendable () async throws -> Void
        public init(name: String, check: @escaping @Sendable () async throws -> Void) {
            self.name = name
            self.check = check
        }
    }

    public var dependencies: [Dependency]
    public var interval: Duration
    public var timeout: Duration

    public init(dependencies: [Dependency], interval: Duration, timeout: Duration) {
        self.dependencies = dependencies
        self.interval = interval
        self.timeout = timeout
    }

    /// The catalog and the store of a running server.
    public init(catalog: any Catalog, store: any ObjectStore, interval: Duration, timeout: Duration) {
        self.init(dependencies: [
            Dependency(name: "catalog") { _ = try await catalog.image(sha256: String(repeating: "0", count: 64)) },
            Dependency(name: "store") { _ = try await store.head(Self.probeKey) },
        ], interval: interval, timeout: timeout)
    }

    /// A named key that is never written: HEAD answers "absent" when the store is healthy.
    static let probeKey = "lenscale-readiness-probe"

    /// Probes until cancelled, recording each round in `readiness`.
    public func run(updating readiness: Readiness) async {
        while !Task.isCancelled {
            readiness.recordProbe(failure: await probeOnce())
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    /// Every dependency at once; nil when all answered in time, else why each did not.
    public func probeOnce() async -> String? {
        let failures = await withTaskGroup(of: String?.self) { group in
            for dependency in dependencies {
                group.addTask { await Self.failure(of: dependency, within: timeout) }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures.sorted()
        }
        return failures.isEmpty ? nil : failures.joined(separator: "; ")
    }

    /// Runs `dependency.check` in its own task and stops waiting at the deadline.
    static func failure(of dependency: Dependency, within timeout: Duration) async -> String? {
        await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            let once = ResumeOnce(continuation)
            let work = Task {
                do {
                    try await dependency.check()
                    once.resume(nil)
                } catch {
                    once.resume("\(dependency.name) unreachable: \(error)")
                }
            }
            Task {
                try? await Task.sleep(for: timeout)
                work.cancel()
                once.resume("\(dependency.name) gave no answer within \(timeout)")
            }
        }
    }
}

/// Resumes a continuation from whichever of two racing tasks finishes first.
private final class ResumeOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<String?, Never>?>
    init(_ continuation: CheckedContinuation<String?, Never>) { self.continuation = Mutex(continuation) }
    func resume(_ value: String?) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
