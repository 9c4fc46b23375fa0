import Jobs
import Testing

/// The wait between attempts: doubling from `base`, capped, half of it jittered.
@Suite struct JobBackoffTests {
    @Test func doublesFromTheBaseUpToTheCapWithHalfJittered() {
        let backoff = JobBackoff(base: .seconds(1), cap: .seconds(300))
        for _ in 0..<200 {
            let first = backoff.delay(afterAttempt: 1)
            #expect(first >= .milliseconds(500) && first <= .seconds(1), "\(first)")
            let fourth = backoff.delay(afterAttempt: 4)
            #expect(fourth >= .seconds(4) && fourth <= .seconds(8), "\(fourth)")
            // Far past the cap (and past where 2^attempts would overflow): still within it.
            let late = backoff.delay(afterAttempt: 500)
            #expect(late >= .seconds(150) && late <= .seconds(300), "\(late)")
        }
        let spread = Set((0..<50).map { _ in backoff.delay(afterAttempt: 3) })
        #expect(spread.count > 1, "jobs that failed together must not all come back together")
    }

    @Test func subSecondBasesKeepTheirPrecision() {
        let backoff = JobBackoff(base: .milliseconds(50), cap: .milliseconds(200))
        let delay = backoff.delay(afterAttempt: 2)
        #expect(delay >= .milliseconds(50) && delay <= .milliseconds(100), "\(delay)")
    }
}
