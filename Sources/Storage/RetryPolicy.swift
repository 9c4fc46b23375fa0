/// How often and how patiently a failed request is tried again.
///
/// Exponential backoff with "equal jitter": the n-th retry waits between half and all of
/// `baseDelay · 2ⁿ⁻¹` (capped at `maxDelay`). The jitter spreads out clients that failed
/// together, so they do not hammer a recovering server in lockstep; keeping the lower half
/// guarantees each retry really waits longer than the one before, unlike full jitter.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in total, the first included; 1 disables retries.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int, baseDelay: Duration, maxDelay: Duration) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Five attempts over about six seconds at most: enough to ride out an S3 `SlowDown` or a
    /// load balancer swap without stalling a batch job for minutes on a real outage.
    public static let standard = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(200), maxDelay: .seconds(5))

    /// No retries, for callers that do their own.
    public static let none = RetryPolicy(maxAttempts: 1, baseDelay: .zero, maxDelay: .zero)

    /// The wait before retry number `retry` (1 for the second attempt). A server's `Retry-After`
    /// raises it, still capped at `maxDelay` so a hostile header cannot park a job.
    public func delay(beforeRetry retry: Int, retryAfter: Duration? = nil,
                      using generator: inout some RandomNumberGenerator) -> Duration {
        let doublings = min(max(retry - 1, 0), 30)
        let ceiling = min(maxDelay, baseDelay * (1 << doublings))
        let half = ceiling / 2
        // One draw mapped linearly onto [0, half]: `Int64.random(in:using:)` rejection-samples,
        // which loops forever on the fixed generators tests use to pin the jitter's ends.
        let fraction = Double(generator.next() >> 11) / Double((1 as UInt64) << 53 - 1)
        let jitter = Duration.nanoseconds(Int64((Double(Self.nanoseconds(half)) * fraction).rounded()))
        let backoff = half + jitter
        guard let retryAfter else { return backoff }
        return min(maxDelay, max(backoff, retryAfter))
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
