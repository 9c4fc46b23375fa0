import Foundation

/// The kinds of event Lenscale appends. Kinds are open strings, so other subsystems (moderation)
/// add their own without changing this type.
public enum EventKind {
    public static let imageIngested = "image.ingested"
    public static let imageLabelled = "image.labelled"
    public static let imageEmbedded = "image.embedded"
    public static let imageDuplicateFound = "image.duplicate_found"
    public static let batchCompleted = "batch.completed"
}

/// An event to append.
public struct NewEvent: Sendable, Hashable {
    public var kind: String
    /// What it is about (an image's sha256, a batch id), for consumers that filter or group.
    public var subject: String?
    /// The event's body, a JSON object as text.
    public var data: String

    public init(kind: String, subject: String?, data: String) {
        self.kind = kind
        self.subject = subject
        self.data = data
    }

    /// An event whose data is `value` encoded as JSON.
    public init<Body: Encodable>(kind: String, subject: String?, body value: Body) throws(JobQueueError) {
        let data: Data
        do { data = try JSONEncoder.jobs.encode(value) } catch { throw .invalid("the event body does not encode as JSON: \(error)") }
        self.init(kind: kind, subject: subject, data: String(decoding: data, as: UTF8.self))
    }
}

/// A stored event. `id` is its offset in the feed: strictly increasing in commit order, so a
/// consumer that remembers the last id it handled resumes with `events(after:)` and misses none.
/// Delivery is at least once; `id` is what consumers deduplicate on.
public struct Event: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var kind: String
    public var subject: String?
    /// A JSON object as text.
    public var data: String
    public var createdAt: Date

    public init(id: Int64, kind: String, subject: String?, data: String, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.subject = subject
        self.data = data
        self.createdAt = createdAt
    }

    /// The wire form used by webhooks (and suitable for the HTTP feed and SSE `data:`):
    /// `{"id": 12, "kind": "image.labelled", "subject": "…", "created_at": "2026-…Z", "data": {…}}`.
    public var json: String {
        let created = ISO8601DateFormatter.events.string(from: createdAt)
        let subjectJSON = subject.map { Self.quoted($0) } ?? "null"
        return "{\"created_at\":\(Self.quoted(created)),\"data\":\(data),\"id\":\(id),\"kind\":\(Self.quoted(kind)),\"subject\":\(subjectJSON)}"
    }

    static func quoted(_ text: String) -> String {
        String(decoding: (try? JSONEncoder.jobs.encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }

    /// Whether a subscription's kind filter admits this event: exact kinds, `prefix.*`, or `*`;
    /// an empty filter admits everything.
    public func matches(_ kinds: [String]) -> Bool {
        kinds.isEmpty || kinds.contains { filter in
            filter == "*" || filter == kind || (filter.hasSuffix(".*") && kind.hasPrefix(String(filter.dropLast(1))))
        }
    }
}

extension ISO8601DateFormatter {
    static var events: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
