import Foundation

/// Storage, memory and node counts for a deployment, derived from `CapacityInputs`.
public struct CapacityPlan: Sendable, Equatable {
    public var rawBytes: Double
    public var embeddingBytes: Double
    public var catalogBytes: Double
    /// Raw + embeddings + catalog, times the replication.
    public var replicatedBytes: Double
    public var embeddingBytesReplicated: Double
    public var hotCacheBytes: Double
    /// Requests per second that miss the cache and reach a model.
    public var missRate: Double
    /// The highest utilisation at which a node still meets the latency target (see `plan`).
    public var maxUtilisation: Double
    /// Nodes for the online miss rate; nil when the latency target is out of reach at this throughput.
    public var onlineNodes: Int?
    public var backfillNodes: Int

    /// Works out the plan.
    ///
    /// Online nodes: a node is treated as an M/M/1 queue, whose response time is exponential
    /// with rate μ(1 − ρ), so p99 = ln(100) / (μ(1 − ρ)). Meeting the target L caps the
    /// utilisation at ρ = 1 − ln(100) / (μ L); the miss rate is then spread over nodes each
    /// loaded to ρ μ. Batching makes real service times more regular than exponential, so this
    /// errs on the side of more nodes.
    public init(_ inputs: CapacityInputs) {
        let replication = Double(inputs.replication)
        rawBytes = inputs.images * inputs.averageImageBytes
        embeddingBytes = inputs.images * Double(inputs.embeddingDims * inputs.embeddingBytesPerValue)
        catalogBytes = inputs.images * inputs.catalogBytesPerImage
        replicatedBytes = (rawBytes + embeddingBytes + catalogBytes) * replication
        embeddingBytesReplicated = embeddingBytes * replication
        hotCacheBytes = inputs.images * inputs.hotFraction * inputs.cacheEntryBytes
        missRate = inputs.requestsPerSecond * (1 - inputs.hitRatio)
        maxUtilisation = 1 - log(100) / (inputs.imagesPerSecondPerNode * inputs.latencyTarget)
        if missRate == 0 {
            onlineNodes = 0
        } else if maxUtilisation > 0 {
            // A utilisation just above zero needs more nodes than exist: no plan, not a trap.
            let nodes = (missRate / (inputs.imagesPerSecondPerNode * maxUtilisation)).rounded(.up)
            onlineNodes = nodes <= 1e15 ? Int(nodes) : nil
        } else {
            onlineNodes = nil
        }
        backfillNodes = Int((inputs.images / (inputs.imagesPerSecondPerNode * 86_400 * inputs.backfillDays)).rounded(.up))
    }
}
