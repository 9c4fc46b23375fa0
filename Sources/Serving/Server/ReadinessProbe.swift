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
    /// What the interval and the deadline are measured on; tests advance a `ManualClock`.
    public var clock: any Clock<Duration>

    public init(dependencies: [Dependency], interval: Duration, timeout: Duration, clock: any Clock<Duration> = ContinuousClock()) {
        self.dependencies = dependencies
        self.interval = interval
        self.timeout = timeout
        self.clock = clock
    }

    /// The catalog and the store of a running server.
    public init(catalog: any Catalog, store: any ObjectStore, interval: Duration, timeout: Duration,
                clock: any Clock<Duration> = ContinuousClock()) {
        self.init(dependencies: [
            Dependency(name: "catalog") { _ = try await catalog.image(sha256: String(repeating: "0", count: 64)) },
            Dependency(name: "store") { _ = try await store.head(Self.probeKey) },
        ], interval: interval, timeout: timeout, clock: clock)
    }

    /// A named key that is never written: HEAD answers "absent" when the store is healthy.
    static let probeKey = "lenscale-readiness-probe"

    /// Probes until cancelled, recording each round in `readiness`.
    public func run(updating readiness: Readiness) async {
        while !Task.isCancelled {
            readiness.recordProbe(failure: await probeOnce())
            do { try await clock.sleep(for: interval) } catch { return }
        }
    }

    /// Every dependency at once; nil when all answered in time, else why each did not.
    public func probeOnce() async -> String? {
        let failures = await withTaskGroup(of: String?.self) { group in
            for dependency in dependencies {
                group.addTask { await Self.failure(of: dependency, within: timeout, on: clock) }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures.sorted()
        }
        return failures.isEmpty ? nil : failures.joined(separator: "; ")
    }

    /// Runs `dependency.check` in its own task and stops waiting at the deadline; whichever
    /// ends first cancels the other, so no timer outlives its probe.
    static func failure(of dependency: Dependency, within timeout: Duration, on clock: any Clock<Duration>) async -> String? {
        await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            let race = Race(continuation)
            let work = Task {
                do {
                    try await dependency.check()
                    race.finish(nil)
                } catch {
                    race.finish("\(dependency.name) unreachable: \(error)")
                }
            }
            race.setTimer(Task {
                do { try await clock.sleep(for: timeout) } catch { return }
                work.cancel()
                race.finish("\(dependency.name) gave no answer within \(timeout)")
            })
        }
    }
}

/// Resumes a continuation from whichever of a probe and its timer finishes first, and cancels
/// the timer when the probe wins.
private final class Race: Sendable {
    private struct State {
        var continuation: CheckedContinuation<String?, Never>?
        var timer: Task<Void, Never>?
    }
    private let state: Mutex<State>

    init(_ continuation: CheckedContinuation<String?, Never>) { state = Mutex(State(continuation: continuation)) }

    func setTimer(_ timer: Task<Void, Never>) {
        let finished = state.withLock { state -> Bool in
            if state.continuation == nil { return true }
            state.timer = timer
            return false
        }
        if finished { timer.cancel() }
    }

    func finish(_ value: String?) {
        let (continuation, timer) = state.withLock { state in
            defer { state = State() }
            return (state.continuation, state.timer)
        }
        timer?.cancel()
        continuation?.resume(returning: value)
    }
}
