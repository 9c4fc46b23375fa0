import Catalog
import Foundation
import GRDB

extension SQLiteJobQueue {
    public func enqueue(_ job: NewJob) async throws(JobQueueError) -> (id: Int64, inserted: Bool) {
        let now = self.now()
        let result = try await write { db in try Self.enqueue(job, now: now, in: db) }
        await jobWakeups.signal()
        return result
    }

    /// Select, then insert or update: safe because the IMMEDIATE transaction holds the write lock.
    static func enqueue(_ job: NewJob, now: Int64, in db: Database) throws -> (id: Int64, inserted: Bool) {
        if let row = try Row.fetchOne(
            db, sql: "SELECT id, state FROM jobs WHERE idempotency_key = ? AND state IN ('queued', 'running', 'dead')",
            arguments: [job.idempotencyKey]) {
            let id: Int64 = row["id"]
            try db.execute(
                sql: """
                    UPDATE jobs SET priority = max(priority, ?),
                        state = CASE state WHEN 'dead' THEN 'queued' ELSE state END,
                        attempts = CASE state WHEN 'dead' THEN 0 ELSE attempts END,
                        run_after = CASE state WHEN 'dead' THEN ? ELSE run_after END
                    WHERE id = ?
                    """, arguments: [job.priority.rawValue, now, id])
            return (id, false)
        }
        try db.execute(
            sql: """
                INSERT INTO jobs (kind, idempotency_key, payload, priority, state, attempts, max_attempts, run_after, created_at)
                VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?)
                """,
            arguments: [job.kind, job.idempotencyKey, job.payload, job.priority.rawValue, job.maxAttempts, now, now])
        return (db.lastInsertedRowID, true)
    }

    public func claim(kinds: [String], limit: Int, owner: String, lease: Duration) async throws(JobQueueError) -> [Job] {
        guard !kinds.isEmpty, limit > 0 else { return [] }
        let now = self.now()
        // A read first: an idle worker polling must not take the file's write lock every time.
        let claimable = try await read { db in
            try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 'queued' AND run_after <= ?) "
                    + "OR EXISTS (SELECT 1 FROM jobs WHERE state = 'running' AND lease_until < ?)",
                arguments: [now, now]) ?? false
        }
        guard claimable else { return [] }
        let (jobs, reapedEvents) = try await write { db in
            // The clock is read again under the write lock: waiting for the lock (or for a busy
            // machine to run this task) must not eat into the lease being granted.
            let now = self.now()
            let leaseUntil = now + Self.micros(lease)
            let events = try Self.reapExpiredLeases(now: now, in: db)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id FROM jobs WHERE state = 'queued' AND run_after <= ? AND kind IN (\(Self.placeholders(kinds.count)))
                    ORDER BY priority DESC, id LIMIT ?
                    """,
                arguments: Self.arguments([now], kinds, [limit]))
            let ids: [Int64] = rows.map { $0["id"] }
            guard !ids.isEmpty else { return ([Job](), events) }
            let list = Self.placeholders(ids.count)
            let jobs = try Row.fetchAll(
                db,
                sql: """
                    UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_until = ?
                    WHERE id IN (\(list)) RETURNING \(Self.jobColumns)
                    """,
                arguments: Self.arguments([owner], [leaseUntil], ids)
            ).map(Self.job)
            try db.execute(
                sql: "UPDATE batch_items SET state = 'running' WHERE state = 'queued' AND job_id IN (\(list))",
                arguments: StatementArguments(ids))
            return (jobs.sorted { ($0.priority, -$0.id) > ($1.priority, -$1.id) }, events)
        }
        for (kind, group) in Dictionary(grouping: jobs, by: \.kind) { JobMetrics.recordAttempts(kind: kind, count: group.count) }
        if reapedEvents { await eventWakeups.signal() }
        return jobs
    }

    /// Requeues running jobs whose lease ran out, or buries them when that was their last attempt.
    /// Returns whether events were appended (batches completed by the burial).
    static func reapExpiredLeases(now: Int64, in db: Database) throws -> Bool {
        let expired = try Row.fetchAll(
            db, sql: "SELECT id, kind, attempts, max_attempts FROM jobs WHERE state = 'running' AND lease_until < ?",
            arguments: [now])
        guard !expired.isEmpty else { return false }
        var outcomes: [(id: Int64, outcome: SettledOutcome)] = []
        for row in expired {
            let attempts: Int = row["attempts"], maxAttempts: Int = row["max_attempts"]
            let reason = "the lease expired after attempt \(attempts) (the worker died or stalled)"
            outcomes.append((row["id"], attempts >= maxAttempts ? .dead(reason) : .requeue(reason, runAfter: now)))
            if attempts >= maxAttempts { JobMetrics.recordFailure(kind: row["kind"], dead: true) }
        }
        return try settle(outcomes, now: now, in: db)
    }

    public func heartbeat(ids: [Int64], owner: String, lease: Duration) async throws(JobQueueError) -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        let held = try await write { db in
            let leaseUntil = self.now() + Self.micros(lease)  // from when the lock is held; see `claim`
            return Set(try Row.fetchAll(
                db,
                sql: """
                    UPDATE jobs SET lease_until = ? WHERE state = 'running' AND lease_owner = ? AND id IN (\(Self.placeholders(ids.count)))
                    RETURNING id
                    """,
                arguments: Self.arguments([leaseUntil], [owner], ids)
            ).map { $0["id"] as Int64 })
        }
        return Set(ids).subtracting(held)
    }

    @discardableResult
    public func finish(_ outcomes: [(id: Int64, outcome: JobOutcome)], owner: String) async throws(JobQueueError) -> Set<Int64> {
        guard !outcomes.isEmpty else { return [] }
        let now = self.now()
        let backoff = self.backoff
        let (notHeld, requeued) = try await write { db in
            let ids = outcomes.map(\.id)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, kind, attempts, max_attempts, created_at FROM jobs
                    WHERE state = 'running' AND lease_owner = ? AND id IN (\(Self.placeholders(ids.count)))
                    """,
                arguments: Self.arguments([owner], ids))
            let held = Dictionary(uniqueKeysWithValues: rows.map { ($0["id"] as Int64, $0) })
            var settled: [(id: Int64, outcome: SettledOutcome)] = []
            var events: [NewEvent] = []
            var requeued = false
            for (id, outcome) in outcomes {
                guard let row = held[id] else { continue }
                let kind: String = row["kind"], attempts: Int = row["attempts"], maxAttempts: Int = row["max_attempts"]
                switch outcome {
                case .done(let produced):
                    settled.append((id, .done))
                    events += produced
                    JobMetrics.recordDone(kind: kind, createdAtMicroseconds: row["created_at"], nowMicroseconds: now)
                case .fail(let reason):
                    settled.append((id, .failed(reason)))
                    JobMetrics.recordFailure(kind: kind, dead: false)
                case .retry(let reason):
                    if attempts >= maxAttempts {
                        settled.append((id, .dead("gave up after \(attempts) attempts: \(reason)")))
                        JobMetrics.recordFailure(kind: kind, dead: true)
                    } else {
                        let delay = Self.micros(backoff.delay(afterAttempt: attempts))
                        settled.append((id, .requeue(reason, runAfter: now + delay)))
                        requeued = true
                    }
                }
            }
            try Self.append(events, in: db)
            _ = try Self.settle(settled, now: now, in: db)
            return (Set(ids).subtracting(held.keys), requeued)
        }
        await eventWakeups.signal()
        if requeued { await jobWakeups.signal() }
        return notHeld
    }

    public func release(ids: [Int64], owner: String) async throws(JobQueueError) {
        guard !ids.isEmpty else { return }
        let now = self.now()
        try await write { db in
            let list = Self.placeholders(ids.count)
            let released = try Row.fetchAll(
                db,
                sql: """
                    UPDATE jobs SET state = 'queued', attempts = max(attempts - 1, 0), lease_owner = NULL, lease_until = NULL,
                        run_after = ?
                    WHERE state = 'running' AND lease_owner = ? AND id IN (\(list)) RETURNING id
                    """,
                arguments: Self.arguments([now], [owner], ids)
            ).map { $0["id"] as Int64 }
            guard !released.isEmpty else { return }
            try db.execute(
                sql: "UPDATE batch_items SET state = 'queued' WHERE state = 'running' AND job_id IN (\(Self.placeholders(released.count)))",
                arguments: StatementArguments(released))
        }
        await jobWakeups.signal()
    }

    public func job(id: Int64) async throws(JobQueueError) -> Job? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.jobColumns) FROM jobs WHERE id = ?", arguments: [id]).map(Self.job)
        }
    }

    public func stats() async throws(JobQueueError) -> QueueStats {
        let now = self.now()
        let stats = try await read { db in
            var counts: [JobState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM jobs GROUP BY state") {
                if let state = JobState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            let oldest = try Int64.fetchOne(db, sql: "SELECT min(created_at) FROM jobs WHERE state = 'queued'")
            let expired = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM jobs WHERE state = 'running' AND lease_until < ?", arguments: [now]) ?? 0
            return QueueStats(counts: counts, oldestQueuedAge: oldest.map { Double(now - $0) / 1_000_000 }, expiredLeases: expired)
        }
        JobMetrics.recordDepth(stats)
        return stats
    }

    public func hasWork(kinds: [String]) async throws(JobQueueError) -> Bool {
        guard !kinds.isEmpty else { return false }
        return try await read { db in
            let marks = Array(repeating: "?", count: kinds.count).joined(separator: ", ")
            return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM jobs WHERE state IN ('queued', 'running') AND kind IN (\(marks)))",
                                     arguments: StatementArguments(kinds)) ?? false
        }
    }

    public func deadJobs(limit: Int) async throws(JobQueueError) -> [Job] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.jobColumns) FROM jobs WHERE state = 'dead' ORDER BY finished_at DESC, id DESC LIMIT ?",
                arguments: [max(0, limit)]
            ).map(Self.job)
        }
    }

    @discardableResult
    public func retryDead(ids: [Int64]?) async throws(JobQueueError) -> Int {
        let now = self.now()
        let count = try await write { db in
            let filter = ids.map { "AND id IN (\(Self.placeholders($0.count)))" } ?? ""
            let revived = try Row.fetchAll(
                db,
                sql: """
                    UPDATE jobs SET state = 'queued', attempts = 0, run_after = ?, finished_at = NULL, lease_owner = NULL,
                        lease_until = NULL
                    WHERE state = 'dead' \(filter) RETURNING id
                    """,
                arguments: Self.arguments([now], ids ?? [])
            ).map { $0["id"] as Int64 }
            guard !revived.isEmpty else { return 0 }
            let list = Self.placeholders(revived.count)
            try db.execute(
                sql: "UPDATE batches SET completed_at = NULL WHERE id IN (SELECT batch_id FROM batch_items WHERE job_id IN (\(list)))",
                arguments: StatementArguments(revived))
            try db.execute(
                sql: "UPDATE batch_items SET state = 'queued', reason = NULL WHERE job_id IN (\(list))",
                arguments: StatementArguments(revived))
            return revived.count
        }
        if count > 0 { await jobWakeups.signal() }
        return count
    }

    public func jobWakeupToken() async -> UInt64 { await jobWakeups.current }

    /// Other processes' enqueues are noticed by the poll, within `pollInterval`.
    public func waitForJobs(since token: UInt64, timeout: Duration) async {
        await jobWakeups.wait(since: token, timeout: min(timeout, pollInterval))
    }
}
