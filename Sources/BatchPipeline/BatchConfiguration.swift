import Catalog

/// How labels are written: `labels.jsonl` (the records of `lenscale classify --format jsonl`) or
/// `labels.csv` (those of `--format csv`, one row per label).
public enum LabelFormat: String, Sendable, Codable, CaseIterable {
    case jsonl, csv

    var fileName: String { "labels.\(rawValue)" }
}

/// The settings of one batch run that are not the source or the model.
public struct BatchConfiguration: Sendable {
    /// Images per model call (per session).
    public var batchSize: Int
    /// Files read, hashed and decoded at once.
    public var decodeWorkers: Int
    public var top: Int
    public var format: LabelFormat
    public var embeddingDType: EmbeddingDType
    public var shard: Shard

    public init(batchSize: Int = 16, decodeWorkers: Int = 2, top: Int = 5, format: LabelFormat = .jsonl,
                embeddingDType: EmbeddingDType = .float32, shard: Shard = .whole) {
        self.batchSize = max(1, batchSize)
        self.decodeWorkers = max(1, decodeWorkers)
        self.top = max(1, top)
        self.format = format
        self.embeddingDType = embeddingDType
        self.shard = shard
    }
}

/// The split of a machine's cores between decoding and the model.
///
/// The model gets every core as one-thread sessions running batches side by side, and decoding
/// gets one worker per core beside them on the cooperative pool. Oversubscribing on purpose: a
/// one-thread session never waits at an operator's barrier for a thread that a decoder has
/// preempted, so whatever CPU decoding does not use goes to the model. On the 2-core machines
/// ONNX Runtime alone (bench/batch/ceiling.py, 2,000 images) ran lite0 as 2 sessions × 1 thread
/// on 20 CPU-seconds, against 31 for 1 session × 2 threads, and faster in every run while other
/// builds shared the machine. Past 16 cores, sessions take several threads each, so the batches
/// in flight stay few.
public struct ThreadSplit: Sendable, Equatable, CustomStringConvertible {
    public var decodeWorkers: Int
    public var sessions: Int
    public var threadsPerSession: Int

    public init(decodeWorkers: Int, sessions: Int, threadsPerSession: Int) {
        self.decodeWorkers = max(1, decodeWorkers)
        self.sessions = max(1, sessions)
        self.threadsPerSession = max(1, threadsPerSession)
    }

    /// The default for `cores`, with any of the three overridden.
    public static func choose(cores: Int, decodeWorkers: Int? = nil, sessions: Int? = nil, threadsPerSession: Int? = nil) -> ThreadSplit {
        let cores = max(1, cores)
        let threads = threadsPerSession ?? (cores + 15) / 16
        let sessions = sessions ?? max(1, cores / threads)
        let decode = decodeWorkers ?? max(1, cores)
        return ThreadSplit(decodeWorkers: decode, sessions: sessions, threadsPerSession: threads)
    }

    public var description: String {
        "\(decodeWorkers) decode worker\(decodeWorkers == 1 ? "" : "s"), \(sessions) model session\(sessions == 1 ? "" : "s") × \(threadsPerSession) thread\(threadsPerSession == 1 ? "" : "s")"
    }
}
