import Catalog
import Foundation

/// A batch to create: its items, each either a job to run or a validation failure to record.
public struct NewBatch: Sendable, Hashable {
    /// The model whose labels `batch(id:)` returns for done items.
    public var model: String
    public var modelVersion: String
    public var priority: JobPriority
    public var items: [NewBatchItem]

    public init(model: String, modelVersion: String, priority: JobPriority, items: [NewBatchItem]) {
        self.model = model
        self.modelVersion = modelVersion
        self.priority = priority
        self.items = items
    }
}

public struct NewBatchItem: Sendable, Hashable {
    /// The original file or part name, for the user.
    public var name: String
    public var sha256: String?
    /// The work; nil for an item that failed validation.
    public var job: NewJob?
    /// Why the item was rejected before any work; only when `job` is nil.
    public var failure: String?

    /// An accepted item.
    public init(name: String, sha256: String, job: NewJob) {
        self.name = Self.storable(name)
        self.sha256 = sha256
        self.job = job
        self.failure = nil
    }

    /// A rejected item.
    public init(name: String, sha256: String?, failure: String) {
        self.name = Self.storable(name)
        self.sha256 = sha256
        self.job = nil
        self.failure = Self.storable(failure)
    }

    /// Names and reasons come from clients (a part's file name, a store key, and errors quoting
    /// them) and may hold NUL, which PostgreSQL's text type cannot store: the whole batch was
    /// refused on PostgreSQL and accepted on SQLite. NUL becomes U+FFFD on both.
    static func storable(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }
}

/// Where one item of a batch is.
public enum BatchItemState: String, Sendable, Codable, Hashable {
    case queued, running, done, failed
}

/// One item of a batch as `batch(id:)` reports it.
public struct BatchItemStatus: Sendable, Hashable {
    public var index: Int
    public var name: String
    public var sha256: String?
    public var state: BatchItemState
    /// Why it failed; nil unless `state` is `failed`.
    public var reason: String?
    /// The batch model's labels, best first, once `state` is `done`.
    public var labels: [StoredLabel]?
    public var jobID: Int64?
}

/// A batch and its items.
public struct BatchStatus: Sendable, Hashable, Identifiable {
    public var id: String
    public var model: String
    public var modelVersion: String
    public var priority: JobPriority
    public var createdAt: Date
    /// Set when the last item finished (done or failed).
    public var completedAt: Date?
    public var items: [BatchItemStatus]

    public var isComplete: Bool { completedAt != nil }
    /// Items per state, for summaries.
    public var counts: [BatchItemState: Int] { items.reduce(into: [:]) { $0[$1.state, default: 0] += 1 } }
}

/// What `createBatch` stored: the id to poll and, per item, its job (nil when it was rejected).
public struct BatchReceipt: Sendable, Hashable {
    public var id: String
    public var items: [Item]

    public struct Item: Sendable, Hashable {
        public var index: Int
        public var name: String
        public var sha256: String?
        public var state: BatchItemState
        public var reason: String?
        public var jobID: Int64?
        /// False when the job already existed (the same bytes were queued before).
        public var newJob: Bool
    }
}

/// The body of a `batch.completed` event.
public struct BatchCompletedBody: Codable, Sendable, Hashable {
    public var batchID: String
    public var items: Int
    public var done: Int
    public var failed: Int

    enum CodingKeys: String, CodingKey {
        case batchID = "batch_id", items, done, failed
    }
}
