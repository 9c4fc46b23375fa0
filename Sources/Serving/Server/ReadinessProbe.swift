import Catalog
import Clocks
import Logging
import Storage

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

    /// One dependency that did not answer: its name is public (`/readyz` says which), its
    /// detail (URLs, paths, the server's own text) goes to the log only.
    public struct Failure: Sendable, Equatable {
        public var dependency: String
        public var detail: String
        public init(dependency: String, detail: String) {
            self.dependency = dependency
            self.detail = detail
        }
    }

    public var dependencies: [Dependency]
    public var interval: Duration
    public var timeout: Duration
    /// What the interval and the deadline are measured on; tests advance a `ManualClock`.
    public var clock: any Clock<Duration>
    public var logger: Logger

    public init(dependencies: [Dependency], interval: Duration, timeout: Duration, clock: any Clock<Duration> = ContinuousClock(),
                logger: Logger = Logger(label: "lenscale.readiness")) {
        self.dependencies = dependencies
        self.interval = interval
        self.timeout = timeout
        self.clock = clock
        self.logger = logger
    }

    /// The catalog and the store of a running server.
    public init(catalog: any Catalog, store: any ObjectStore, interval: Duration, timeout: Duration,
                clock: any Clock<Duration> = ContinuousClock(), logger: Logger = Logger(label: "lenscale.readiness")) {
        self.init(dependencies: [
            Dependency(name: "catalog") { _ = try await catalog.image(sha256: String(repeating: "0", count: 64)) },
            Dependency(name: "store") { _ = try await store.head(Self.probeKey) },
        ], interval: interval, timeout: timeout, clock: clock, logger: logger)
    }

    /// A named key that is never written: HEAD answers "absent" when the store is healthy.
    static let probeKey = "lenscale-readiness-probe"

    /// Probes until cancelled, recording each round in `readiness` and logging each change.
    public func run(updating readiness: Readiness) async {
        var last: [Failure] = []
        while !Task.isCancelled {
            let failures = await probeOnce()
            readiness.recordProbe(failures: failures)
            if failures != last {
                if failures.isEmpty {
                    logger.notice("readiness: every dependency answers again")
                } else {
                    for failure in failures { logger.error("readiness: \(failure.dependency): \(failure.detail)") }
                }
                last = failures
            }
            do { try await clock.sleep(for: interval) } catch { return }
        }
    }

    /// Every dependency at once; empty when all answered in time, else why each did not, by name.
    public func probeOnce() async -> [Failure] {
        await withTaskGroup(of: Failure?.self) { group in
            for dependency in dependencies {
                group.addTask { await Self.failure(of: dependency, within: timeout, on: clock) }
            }
            var failures: [Failure] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures.sorted { $0.dependency < $1.dependency }
        }
    }

    /// Stops waiting for `dependency.check` at the deadline; the abandoned check is cancelled
    /// and finishes or fails on its own.
    static func failure(of dependency: Dependency, within timeout: Duration, on clock: any Clock<Duration>) async -> Failure? {
        do {
            try await Expiring.run(within: timeout, on: clock) { try await dependency.check() }
            return nil
        } catch is Expiring.Expired {
            return Failure(dependency: dependency.name, detail: "gave no answer within \(timeout)")
        } catch {
            return Failure(dependency: dependency.name, detail: "unreachable: \(error)")
        }
    }
}
