import Serving
import Synchronization
import Testing

/// `ReadinessProbe` on its own, with dependencies the test controls.
@Suite struct ReadinessProbeTests {
    @Test("a dependency that never answers, even to cancellation, is reported at the deadline")
    func hungDependencyHitsTheDeadline() async {
        let probe = ReadinessProbe(dependencies: [
            .init(name: "catalog") {
                // Ignores cancellation, as a query on a half-dead connection can.
                await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
            },
            .init(name: "store") {},
        ], interval: .milliseconds(50), timeout: .milliseconds(200))
        let clock = ContinuousClock()
        let started = clock.now
        let reason = await probe.probeOnce()
        #expect(reason == "catalog gave no answer within 0.2 seconds")
        #expect(clock.now - started < .seconds(300), "it must return, not hang")
    }

    @Test("failures are named per dependency; all answering means ready")
    func failuresAreNamed() async {
        struct Down: Error, CustomStringConvertible { var description: String { "connection refused" } }
        let up = Atomic<Bool>(false)
        let probe = ReadinessProbe(dependencies: [
            .init(name: "store") { if !up.load(ordering: .relaxed) { throw Down() } },
            .init(name: "catalog") { if !up.load(ordering: .relaxed) { throw Down() } },
        ], interval: .milliseconds(50), timeout: .seconds(5))
        #expect(await probe.probeOnce() == "catalog unreachable: connection refused; store unreachable: connection refused")
        up.store(true, ordering: .relaxed)
        #expect(await probe.probeOnce() == nil)
    }
}
