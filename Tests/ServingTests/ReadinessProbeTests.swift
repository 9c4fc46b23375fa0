import Clocks
import Serving
import Synchronization
import Testing
import TestSupport

/// `ReadinessProbe` on its own, with dependencies the test controls.
@Suite struct ReadinessProbeTests {
    @Test("a dependency that never answers, even to cancellation, is reported at the deadline")
    func hungDependencyHitsTheDeadline() async throws {
        let clock = ManualClock()
        let probe = ReadinessProbe(dependencies: [
            .init(name: "catalog") {
                // Ignores cancellation, as a query on a half-dead connection can.
                await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
            },
            .init(name: "store") {},
        ], interval: .milliseconds(50), timeout: .milliseconds(200), clock: clock)
        let probing = Task { await probe.probeOnce() }
        // Both timers start; the store answers and cancels its own, the catalog's stays.
        try await poll("the catalog's deadline to be the only one pending") { clock.pendingDeadlines.count == 1 }
        clock.advance(by: .milliseconds(200))
        #expect(await probing.value == [.init(dependency: "catalog", detail: "gave no answer within 0.2 seconds")])
    }

    @Test("a dependency that answers before its deadline is not reported, however slow the machine")
    func answerBeforeTheDeadline() async throws {
        let clock = ManualClock()
        let probe = ReadinessProbe(dependencies: [.init(name: "catalog") {}, .init(name: "store") {}],
                                   interval: .seconds(5), timeout: .seconds(2), clock: clock)
        // The clock never moves, so no deadline can pass whatever the scheduler does.
        #expect(await probe.probeOnce() == [])
        #expect(clock.now.offset == .zero)
    }

    @Test("the probe runs once per interval on its clock and records each round")
    func runsOnTheInterval() async throws {
        let clock = ManualClock()
        let rounds = Atomic<Int>(0)
        let probe = ReadinessProbe(dependencies: [.init(name: "store") { rounds.add(1, ordering: .relaxed) }],
                                   interval: .seconds(5), timeout: .seconds(2), clock: clock)
        let readiness = Readiness()
        let running = Task { await probe.run(updating: readiness) }
        for round in 1...3 {
            // Only the wait for the next round is pending (not the round's own timer).
            try await poll("probe round \(round)") {
                rounds.load(ordering: .relaxed) == round && clock.pendingDeadlines == [clock.now.advanced(by: .seconds(5))]
            }
            clock.advance(by: .seconds(5))
        }
        running.cancel()
        await running.value
        #expect(rounds.load(ordering: .relaxed) >= 3)
    }

    @Test("failures are named per dependency; all answering means ready")
    func failuresAreNamed() async {
        struct Down: Error, CustomStringConvertible { var description: String { "connection refused" } }
        let up = Atomic<Bool>(false)
        let probe = ReadinessProbe(dependencies: [
            .init(name: "store") { if !up.load(ordering: .relaxed) { throw Down() } },
            .init(name: "catalog") { if !up.load(ordering: .relaxed) { throw Down() } },
        ], interval: .milliseconds(50), timeout: .seconds(5))
        #expect(await probe.probeOnce() == [
            .init(dependency: "catalog", detail: "unreachable: connection refused"),
            .init(dependency: "store", detail: "unreachable: connection refused"),
        ])
        up.store(true, ordering: .relaxed)
        #expect(await probe.probeOnce() == [])
    }
}
