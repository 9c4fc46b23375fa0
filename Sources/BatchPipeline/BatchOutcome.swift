import Classification
import Hashing
import ImageDecoding

/// What happened to one item, ready for the writer.
struct BatchOutcome: Sendable {
    enum Kind: Sendable {
        /// The model ran on it: the first time this content was seen.
        case classified(labels: [Label], embedding: [Float], image: ImageFacts)
        /// The same bytes as an earlier item, which the record's labels come from.
        case duplicate(labels: [Label])
        case failed(code: String, message: String)
        /// The store could not be reached for it (down, timing out, throttling): nothing is
        /// written for it and it is not checkpointed as finished, so rerunning the command
        /// retries it; a failure that is the item's own goes to failures.jsonl instead.
        case unreachable(message: String)
        /// Another shard's content.
        case skipped
    }

    var name: String
    var sha256: String?
    var kind: Kind
}

extension BatchOutcome {
    /// False for an item the store could not be reached for: a rerun tries it again.
    var isFinished: Bool {
        if case .unreachable = kind { return false }
        return true
    }
}

/// What the catalog needs about an image beyond its labels.
struct ImageFacts: Sendable {
    var bytes: Int
    var header: ImageHeader
    var codes: PerceptualCodes?
}

/// Running totals, kept in every checkpoint so a resumed run reports the whole job.
public struct BatchCounts: Sendable, Codable, Equatable {
    /// Images the model labelled.
    public var classified = 0
    /// Items with the same bytes as an earlier item; they get the earlier item's labels.
    public var duplicates = 0
    /// Items listed in failures.jsonl.
    public var failed = 0
    /// Items left to other shards.
    public var skipped = 0

    public init() {}

    /// Items with a record in the labels file.
    public var done: Int { classified + duplicates }
    public var examined: Int { classified + duplicates + failed + skipped }

    mutating func add(_ kind: BatchOutcome.Kind) {
        switch kind {
        case .classified: classified += 1
        case .duplicate: duplicates += 1
        case .failed: failed += 1
        case .skipped: skipped += 1
        case .unreachable: break
        }
    }
}
