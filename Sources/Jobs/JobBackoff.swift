import Foundation

/// How long a failed job waits before its next attempt: exponential, capped, with jitter so
/// jobs that failed together (a database restart) do not come back together.
public struct JobBackoff: Sendable, Hashable {
    public var base: Double
    public var cap: Double

    public init(base: Double = 1, cap: Double = 300) {
        self.base = base
        self.cap = cap
    }

    /// Seconds before attempt `attempts + 1`: half of `base × 2^(attempts-1)` fixed, half random.
    public func delay(afterAttempt attempts: Int) -> Double {
        let exponential = min(cap, base * pow(2, Double(max(0, attempts - 1))))
        return exponential / 2 + Double.random(in: 0...(exponential / 2))
    }
}
