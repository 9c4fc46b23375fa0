import Foundation

/// What a batch run did, for the closing summary and for benchmarks.
public struct BatchSummary: Sendable {
    /// Items in the source for this shard (for manifests, its lines; otherwise the whole listing,
    /// since content decides the shard).
    public var listed: Int
    /// Items an earlier run had finished.
    public var resumed: Int
    /// This run's counts.
    public var run: BatchCounts
    /// The whole job's counts, earlier runs included.
    public var total: BatchCounts
    /// Wall time of this run.
    public var seconds: Double
    /// CPU time of the whole process, all threads.
    public var cpuSeconds: Double
    /// CPU time spent reading, hashing and decoding.
    public var decodeCPUSeconds: Double
    /// Wall time the model sessions spent on batches, summed over sessions.
    public var inferenceSeconds: Double
    /// Wall time the model stage waited for the next batch to be read and decoded, after the
    /// first: near zero when decoding keeps up.
    public var modelWaitSeconds: Double
    public var batches: Int
    /// Items the store could not be reached for: not finished, so rerunning the command retries them.
    public var unreachable: Int = 0
    public var output: URL

    /// Images the model labelled per second of wall time.
    public var imagesPerSecond: Double { Double(run.classified) / max(seconds, 1e-9) }

    /// The share of CPU time that went to decoding (the rest is the model, writing and overhead).
    public var decodeShare: Double { cpuSeconds > 0 ? decodeCPUSeconds / cpuSeconds : 0 }
}
