/// What a deployment must hold and serve, and what one node can do.
public struct CapacityInputs: Sendable, Equatable {
    public var images: Double
    public var averageImageBytes: Double
    public var embeddingDims: Int
    /// 4 for float32, 2 for float16.
    public var embeddingBytesPerValue: Int
    /// Copies of every byte kept by the storage layer.
    public var replication: Int
    /// Online classify requests per second at peak.
    public var requestsPerSecond: Double
    /// Share of requests answered from the content-hash cache.
    public var hitRatio: Double
    /// The p99 the online path must meet, in seconds.
    public var latencyTarget: Double
    /// Images one node classifies per second (from `bench/classify`, or given).
    public var imagesPerSecondPerNode: Double
    /// Days allowed to label the whole collection once.
    public var backfillDays: Double
    /// Share of the collection that is requested often enough to be worth caching in memory.
    public var hotFraction: Double
    /// Catalog bytes per image besides the embedding: the image row, one prediction and the
    /// index entries. Measured: 1,000 ingested images made 1.29 MB beside 5.12 MB of vectors.
    public var catalogBytesPerImage: Double
    /// In-memory cache bytes per prediction, an estimate: the top-5 labels measured 308 B as JSON
    /// (1,000 ingested images), plus the 64-byte key, plus LRU and dictionary bookkeeping.
    public var cacheEntryBytes: Double

    public init(images: Double, averageImageBytes: Double, embeddingDims: Int = 512, embeddingBytesPerValue: Int = 4,
                replication: Int = 3, requestsPerSecond: Double = 0, hitRatio: Double = 0.85, latencyTarget: Double = 0.15,
                imagesPerSecondPerNode: Double, backfillDays: Double = 30, hotFraction: Double = 0.01,
                catalogBytesPerImage: Double = 1_290, cacheEntryBytes: Double = 600) {
        self.images = images
        self.averageImageBytes = averageImageBytes
        self.embeddingDims = embeddingDims
        self.embeddingBytesPerValue = embeddingBytesPerValue
        self.replication = replication
        self.requestsPerSecond = requestsPerSecond
        self.hitRatio = hitRatio
        self.latencyTarget = latencyTarget
        self.imagesPerSecondPerNode = imagesPerSecondPerNode
        self.backfillDays = backfillDays
        self.hotFraction = hotFraction
        self.catalogBytesPerImage = catalogBytesPerImage
        self.cacheEntryBytes = cacheEntryBytes
    }

    /// The first input that makes no sense, in words, or nil.
    /// Bounds are generous but finite, so no input (`1e300`, `inf`) overflows the arithmetic
    /// or the conversion of node counts to integers.
    public var problem: String? {
        if !(0...1e15).contains(images) { return "the image count must be within 0...1e15" }
        if !(0...1e13).contains(averageImageBytes) { return "the average image size must be within 0 B...10 TB" }
        if !(0...1_000_000).contains(embeddingDims) { return "embedding dims must be within 0...1000000" }
        if ![2, 4].contains(embeddingBytesPerValue) { return "embeddings are float32 (4 bytes) or float16 (2 bytes)" }
        if !(1...100).contains(replication) { return "replication must be within 1...100" }
        if !(0...1e9).contains(requestsPerSecond) { return "the request rate must be within 0...1e9 per second" }
        if !(0...1).contains(hitRatio) { return "the hit ratio must be between 0 and 1" }
        if !(latencyTarget > 0 && latencyTarget <= 3600) { return "the latency target must be positive and at most an hour" }
        if !(0.001...1e9).contains(imagesPerSecondPerNode) { return "the throughput per node must be within 0.001...1e9 images per second" }
        if !(0.001...36_500).contains(backfillDays) { return "the backfill window must be within 0.001...36500 days" }
        if !(0...1).contains(hotFraction) { return "the hot fraction must be between 0 and 1" }
        return nil
    }
}
