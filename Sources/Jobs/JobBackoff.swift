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
        return exponential / 2 + .nanoseconds(Int64.random(in: 0...max(0, (exponential / 2).nanoseconds)))
    }
}

extension Duration {
    /// Whole nanoseconds, rounded toward zero (spans up to about 292 years).
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
