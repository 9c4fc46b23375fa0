extension Wakeups {
    /// True as soon as `condition` holds, false once `timeout` has passed: between checks it
    /// sleeps until the next signal or `pollInterval`, whichever comes first (another process's
    /// change is noticed by the poll). Both queues' `waitForEvents` are this loop.
    nonisolated func poll(
        until condition: () async throws(JobQueueError) -> Bool, timeout: Duration, every pollInterval: Duration
    ) async throws(JobQueueError) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let seen = await current
            if try await condition() { return true }
            let left = deadline - ContinuousClock.now
            guard left > .zero, !Task.isCancelled else { return false }
            await wait(since: seen, timeout: min(left, pollInterval))
        }
    }
}
