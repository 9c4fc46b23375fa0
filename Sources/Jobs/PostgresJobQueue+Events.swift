import Catalog
import Clocks
import Foundation
import Logging
import PostgresNIO

extension PostgresJobQueue {
    /// Appends `events` inside the caller's transaction, so they commit with the change they
    /// describe, and notifies listeners at commit.
    ///
    /// Offsets become visible in increasing order because every appender takes the same
    /// transaction-scoped advisory lock before drawing ids, and holds it until it commits: a
    /// later id can never commit before an earlier one, so a consumer resuming after its last
    /// offset cannot skip an event that was still in flight. Append last in a transaction, so
    /// the lock is held only for the commit.
    ///
    /// Appenders queue for that lock, so under load the wait is longer than for a row lock: it
    /// waits up to the statement limit rather than `lock_timeout`. A holder that stalls cannot
    /// keep it for longer than the server's idle-in-transaction limit, which ends its session.
    public func append(_ events: [NewEvent], on connection: PostgresConnection) async throws {
        guard !events.isEmpty else { return }
        let wait = catalog.configuration.timeouts.statement.milliseconds
        try await execute(PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = \(wait)"), on: connection)
        try await execute("SELECT pg_advisory_xact_lock(hashtext(\("lenscale.events:" + channel)))", on: connection)
        try await execute(
            """
            INSERT INTO events (kind, subject, data, created_at)
            SELECT kind, NULLIF(subject, ''), data, \(unescaped: self.nowSQL)
            FROM unnest(\(events.map(\.kind)), \(events.map { $0.subject ?? "" }), \(events.map(\.data)))
                WITH ORDINALITY AS e(kind, subject, data, position)
            ORDER BY position
            """, on: connection)
        try await notify("events", on: connection)
    }

    public func append(_ events: [NewEvent]) async throws(JobQueueError) {
        guard !events.isEmpty else { return }
        try await transaction { connection in try await self.append(events, on: connection) }
    }

    public func events(after: Int64, limit: Int) async throws(JobQueueError) -> [Event] {
        try await withConnection { connection in
            try await self.fetch(
                "SELECT id, kind, subject, data, created_at FROM events WHERE id > \(after) ORDER BY id LIMIT \(max(0, limit))",
                on: connection
            ) { row in
                let (id, kind, subject, data, created) = try row.decode((Int64, String, String?, String, Int64).self)
                return Event(id: id, kind: kind, subject: subject, data: data, createdAt: CatalogTime.date(microseconds: created))
            }
        }
    }

    public func latestEventID() async throws(JobQueueError) -> Int64 {
        try await withConnection { connection in
            try await self.fetch("SELECT coalesce(max(id), 0)::bigint FROM events", on: connection) { try $0.decode(Int64.self) }.first ?? 0
        }
    }

    public func waitForEvents(after: Int64, timeout: Duration) async throws(JobQueueError) -> Bool {
        try await eventWakeups.poll(until: { () throws(JobQueueError) in try await latestEventID() > after },
                                    timeout: timeout, every: pollInterval)
    }
}
