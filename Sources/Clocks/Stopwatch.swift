/// Time elapsed since a start, on any clock, as a plain closure: what a deadline check needs
/// without carrying the clock's `Instant` type around.
public enum Stopwatch {
    /// Starts now on `clock`; each call of the result is the time since.
    public static func start(on clock: any Clock<Duration>) -> @Sendable () -> Duration {
        started(on: clock)
    }

    private static func started<C: Clock<Duration>>(on clock: C) -> @Sendable () -> Duration {
        let start = clock.now
        return { start.duration(to: clock.now) }
    }
}
