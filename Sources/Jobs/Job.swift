import Foundation

/// Where a job is in its life.
///
/// `queued` → `running` (claimed, under a lease) → `done`; a failure goes back to `queued` with a
/// later `runAfter` until `maxAttempts`, then `dead` (listed and retried by an operator). A
/// failure that no retry can fix (an image that does not decode) goes straight to `failed`.
public enum JobState: String, Sendable, Codable, CaseIterable, Hashable {
    case queued, running, done, failed, dead
}

/// How urgent a job is; higher runs first. Online uploads go ahead of backfills.
public struct JobPriority: RawRepresentable, Sendable, Hashable, Codable, Comparable {
    public var rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Work someone is waiting for (an upload through the API or `ingest --async`).
    public static let online = JobPriority(rawValue: 10)
    /// Bulk reprocessing nobody is waiting on.
    public static let backfill = JobPriority(rawValue: 0)

    public static func < (lhs: JobPriority, rhs: JobPriority) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A job to enqueue.
public struct NewJob: Sendable, Hashable {
    /// What handler runs it (`image.analyse`; later kinds such as moderation add their own).
    public var kind: String
    /// Identifies the work, not the request: the same key while a job is open finds that job
    /// instead of adding another (for images: kind, sha256, model and model version).
    public var idempotencyKey: String
    /// The handler's input, as JSON text.
    public var payload: String
    public var priority: JobPriority
    public var maxAttempts: Int

    public init(kind: String, idempotencyKey: String, payload: String, priority: JobPriority = .backfill, maxAttempts: Int = 5) {
        self.kind = kind
        self.idempotencyKey = idempotencyKey
        self.payload = payload
        self.priority = priority
        self.maxAttempts = max(1, maxAttempts)
    }

    /// A job whose payload is `value` encoded as JSON.
    public init<Payload: Encodable>(kind: String, idempotencyKey: String, payload value: Payload,
                                    priority: JobPriority = .backfill, maxAttempts: Int = 5) throws(JobQueueError) {
        let data: Data
        do { data = try JSONEncoder.jobs.encode(value) } catch { throw .invalid("the payload does not encode as JSON: \(error)") }
        self.init(kind: kind, idempotencyKey: idempotencyKey, payload: String(decoding: data, as: UTF8.self),
                  priority: priority, maxAttempts: maxAttempts)
    }
}

/// A stored job, as a claim, a listing or a statistic sees it.
public struct Job: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var kind: String
    public var idempotencyKey: String
    public var payload: String
    public var priority: JobPriority
    public var state: JobState
    /// Claims so far, including the one in progress.
    public var attempts: Int
    public var maxAttempts: Int
    public var runAfter: Date
    public var leaseOwner: String?
    public var leaseUntil: Date?
    public var lastError: String?
    public var createdAt: Date
    public var finishedAt: Date?

    /// The payload decoded from JSON.
    public func decodePayload<Payload: Decodable>(_ type: Payload.Type) throws(JobQueueError) -> Payload {
        do {
            return try JSONDecoder().decode(type, from: Data(payload.utf8))
        } catch {
            throw .invalid("job \(id) (\(kind)) has a payload that is not a \(type): \(error)")
        }
    }
}

/// What a handler made of one claimed job.
public enum JobOutcome: Sendable, Hashable {
    /// The work is done; `events` are appended in the transaction that marks the job done.
    case done(events: [NewEvent])
    /// A transient failure: run it again after a backoff, or give up (`dead`) after max attempts.
    case retry(reason: String)
    /// A failure no retry can fix (bad input): `failed` at once, with the reason for the user.
    case fail(reason: String)
}

extension JSONEncoder {
    /// Sorted keys and unescaped slashes: stable text for payloads, events and signatures.
    static var jobs: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
