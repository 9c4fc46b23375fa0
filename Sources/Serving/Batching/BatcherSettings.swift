/// How one model's dynamic batcher forms batches.
///
/// A request waits at most `maxQueueDelayMicroseconds` for company; a batch leaves as soon as it
/// reaches `maxBatchSize`, or a preferred size while the model is idle. The queue holds at most
/// `maxQueueSize` images: beyond that requests are refused at once (429) rather than queued into
/// a latency no client waits for.
public struct BatcherSettings: Sendable, Equatable {
    public var maxBatchSize = 16
    public var maxQueueDelayMicroseconds = 2_000
    public var preferredBatchSizes: [Int] = []
    public var maxQueueSize = 256
    /// A request still waiting after this long fails with 503.
    public var timeoutMilliseconds = 10_000

    public init() {}

    /// The batch sizes warmed before /readyz: every preferred size, the maximum, and 1.
    public var warmupSizes: [Int] {
        Array(Set([1, maxBatchSize] + preferredBatchSizes)).filter { $0 >= 1 && $0 <= maxBatchSize }.sorted()
    }

    func validate(model: String) throws(ConfigurationError) {
        guard maxBatchSize >= 1 else { throw .invalid("models.\(model).batcher.max_batch_size must be at least 1") }
        guard maxQueueDelayMicroseconds >= 0 else { throw .invalid("models.\(model).batcher.max_queue_delay_us must not be negative") }
        guard maxQueueSize >= maxBatchSize else {
            throw .invalid("models.\(model).batcher.max_queue_size must be at least max_batch_size (\(maxBatchSize))")
        }
        guard timeoutMilliseconds > 0 else { throw .invalid("models.\(model).batcher.timeout_ms must be positive") }
        for size in preferredBatchSizes where size < 1 || size > maxBatchSize {
            throw .invalid("models.\(model).batcher.preferred_batch_sizes: \(size) is outside 1...\(maxBatchSize)")
        }
    }
}
