import Foundation

/// The queue at a glance, for `lenscale queue stats`, `/metrics` and health checks.
public struct QueueStats: Sendable, Hashable {
    /// Jobs per state; every state is present, zero when empty.
    public var counts: [JobState: Int]
    /// How long the oldest queued job has waited since it was enqueued; nil when none is queued.
    public var oldestQueuedAge: Double?
    /// Running jobs whose lease ran out; they are claimable again (their worker died or stalled).
    public var expiredLeases: Int

    public init(counts: [JobState: Int], oldestQueuedAge: Double?, expiredLeases: Int) {
        self.counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, counts[$0] ?? 0) })
        self.oldestQueuedAge = oldestQueuedAge
        self.expiredLeases = expiredLeases
    }
}
