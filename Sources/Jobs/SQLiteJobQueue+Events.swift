import Catalog
import Foundation
import GRDB

extension SQLiteJobQueue {
    /// Appends `events` inside the caller's IMMEDIATE transaction, so they commit with the change
    /// they describe. The transaction holds SQLite's write lock, so ids become visible in order.
    /// Waiters in other processes see them within the poll interval.
    public static func append(_ events: [NewEvent], in db: Database) throws {
        guard !events.isEmpty else { return }
        // Informational, not a lease or a backoff: the host's clock, whoever appends.
        let now = CatalogTime.microseconds(Date())
        for event in events {
            try db.execute(
                sql: "INSERT INTO events (kind, subject, data, created_at) VALUES (?, ?, ?, ?)",
                arguments: [event.kind, event.subject, event.data, now])
        }
    }

    /// `append(_:in:)` for callers holding the queue rather than its type.
    public func append(_ events: [NewEvent], in db: Database) throws {
        try Self.append(events, in: db)
    }

    public func append(_ events: [NewEvent]) async throws(JobQueueError) {
        guard !events.isEmpty else { return }
        try await write { db in try Self.append(events, in: db) }
        await eventWakeups.signal()
    }

    public func events(after: Int64, limit: Int) async throws(JobQueueError) -> [Event] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, kind, subject, data, created_at FROM events WHERE id > ? ORDER BY id LIMIT ?",
                arguments: [after, max(0, limit)]
            ).map { row in
                Event(id: row["id"], kind: row["kind"], subject: row["subject"], data: row["data"],
                      createdAt: CatalogTime.date(microseconds: row["created_at"]))
            }
        }
    }

    public func latestEventID() async throws(JobQueueError) -> Int64 {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM events") ?? 0 }
    }

    public func waitForEvents(after: Int64, timeout: Duration) async throws(JobQueueError) -> Bool {
        try await eventWakeups.poll(until: { () throws(JobQueueError) in try await latestEventID() > after },
                                    timeout: timeout, every: pollInterval)
    }
}
