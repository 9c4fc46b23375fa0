/// How long a failed job waits before its next attempt: exponential, capped, with jitter so
/// jobs that failed together (a database restart) do not come back together.
public struct JobBackoff: Sendable, Hashable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration = .seconds(1), cap: Duration = .seconds(300)) {
        self.base = base
        self.cap = cap
    }

    /// The wait before attempt `attempts + 1`: half of `base × 2^(attempts-1)` fixed, half random.
    public func delay(afterAttempt attempts: Int) -> Duration {
        let exponential = min(cap, base * (1 << min(max(0, attempts - 1), 40)))
        return exponential / 2 + exponential / 2 * Double.random(in: 0...1)
    }
}
