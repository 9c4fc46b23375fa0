import Catalog
import Foundation
import Logging
import PostgresNIO

extension PostgresJobQueue {
    public func enqueue(_ job: NewJob) async throws(JobQueueError) -> (id: Int64, inserted: Bool) {
        try await transaction { connection in
            let result = try await self.enqueue(job, on: connection)
            try await self.notify("jobs", on: connection)
            return result
        }
    }

    /// One statement: the partial unique index arbitrates between concurrent enqueuers, and the
    /// DO UPDATE locks an existing open job until this transaction commits, so a worker cannot
    /// finish it while a batch being created links items to it. `xmax = 0` tells an insert.
    func enqueue(_ job: NewJob, on connection: PostgresConnection) async throws -> (id: Int64, inserted: Bool) {
        let rows = try await fetch(
            """
            INSERT INTO jobs (kind, idempotency_key, payload, priority, state, attempts, max_attempts, run_after, created_at)
            VALUES (\(job.kind), \(job.idempotencyKey), \(job.payload), \(job.priority.rawValue), 'queued', 0, \(job.maxAttempts),
                    \(unescaped: self.nowSQL), \(unescaped: self.nowSQL))
            ON CONFLICT (idempotency_key) WHERE state IN ('queued', 'running', 'dead') DO UPDATE SET
                priority = GREATEST(jobs.priority, EXCLUDED.priority),
                state = CASE WHEN jobs.state = 'dead' THEN 'queued' ELSE jobs.state END,
                attempts = CASE WHEN jobs.state = 'dead' THEN 0 ELSE jobs.attempts END,
                run_after = CASE WHEN jobs.state = 'dead' THEN EXCLUDED.run_after ELSE jobs.run_after END
            RETURNING id, (xmax::text = '0')
            """, on: connection) { try $0.decode((Int64, Bool).self) }
        guard let row = rows.first else { throw CatalogError.database("enqueueing \(job.idempotencyKey) returned no row") }
        return (row.0, row.1)
    }

    public func claim(kinds: [String], limit: Int, owner: String, lease: Duration) async throws(JobQueueError) -> [Job] {
        guard !kinds.isEmpty, limit > 0 else { return [] }
        let leaseMicros = Self.micros(lease)
        let jobs = try await transaction { connection in
            try await self.reapExpiredLeases(on: connection)
            let jobs = try await self.fetch(
                """
                WITH picked AS (
                    SELECT id FROM jobs
                    WHERE state = 'queued' AND run_after <= \(unescaped: self.nowSQL) AND kind = ANY(\(kinds))
                    ORDER BY priority DESC, id LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE jobs SET state = 'running', attempts = jobs.attempts + 1, lease_owner = \(owner),
                    lease_until = \(unescaped: self.nowSQL) + \(leaseMicros)
                FROM picked WHERE jobs.id = picked.id
                RETURNING \(unescaped: Self.jobColumns.split(separator: ",").map { "jobs." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
                """, on: connection, Self.job)
            guard !jobs.isEmpty else { return jobs }
            try await self.execute(
                "UPDATE batch_items SET state = 'running' WHERE state = 'queued' AND job_id = ANY(\(jobs.map(\.id)))", on: connection)
            return jobs.sorted { ($0.priority, -$0.id) > ($1.priority, -$1.id) }
        }
        for (kind, group) in Dictionary(grouping: jobs, by: \.kind) { JobMetrics.recordAttempts(kind: kind, count: group.count) }
        return jobs
    }

    /// Requeues running jobs whose lease ran out, or buries them after their last attempt.
    /// SKIP LOCKED: a row locked right now belongs to a worker settling it, which wins.
    func reapExpiredLeases(on connection: PostgresConnection) async throws {
        let expired = try await fetch(
            """
            SELECT id, kind, attempts, max_attempts, \(unescaped: self.nowSQL) FROM jobs
            WHERE state = 'running' AND lease_until < \(unescaped: self.nowSQL)
            ORDER BY id FOR UPDATE SKIP LOCKED
            """, on: connection) { try $0.decode((Int64, String, Int, Int, Int64).self) }
        guard let now = expired.first?.4 else { return }
        var outcomes: [(id: Int64, outcome: SettledOutcome)] = []
        for (id, kind, attempts, maxAttempts, _) in expired {
            let reason = "the lease expired after attempt \(attempts) (the worker died or stalled)"
            outcomes.append((id, attempts >= maxAttempts ? .dead(reason) : .requeue(reason, runAfter: now)))
            if attempts >= maxAttempts { JobMetrics.recordFailure(kind: kind, dead: true) }
        }
        try await settle(outcomes, now: now, events: [], on: connection)
    }

    public func heartbeat(ids: [Int64], owner: String, lease: Duration) async throws(JobQueueError) -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        let leaseMicros = Self.micros(lease)
        let held = try await withConnection { connection in
            try await self.fetch(
                """
                UPDATE jobs SET lease_until = \(unescaped: self.nowSQL) + \(leaseMicros)
                WHERE state = 'running' AND lease_owner = \(owner) AND id = ANY(\(ids)) RETURNING id
                """, on: connection) { try $0.decode(Int64.self) }
        }
        return Set(ids).subtracting(held)
    }

    @discardableResult
    public func finish(_ outcomes: [(id: Int64, outcome: JobOutcome)], owner: String) async throws(JobQueueError) -> Set<Int64> {
        guard !outcomes.isEmpty else { return [] }
        let backoff = self.backoff
        return try await transaction { connection in
            let ids = outcomes.map(\.id)
            let held = try await self.fetch(
                """
                SELECT id, kind, attempts, max_attempts, created_at, \(unescaped: self.nowSQL) FROM jobs
                WHERE state = 'running' AND lease_owner = \(owner) AND id = ANY(\(ids))
                ORDER BY id FOR UPDATE
                """, on: connection) { try $0.decode((Int64, String, Int, Int, Int64, Int64).self) }
            guard let now = held.first?.5 else { return Set(ids) }
            let rows = Dictionary(uniqueKeysWithValues: held.map { ($0.0, $0) })
            var settled: [(id: Int64, outcome: SettledOutcome)] = []
            var events: [NewEvent] = []
            var requeued = false
            for (id, outcome) in outcomes {
                guard let row = rows[id] else { continue }
                let (_, kind, attempts, maxAttempts, createdAt, _) = row
                switch outcome {
                case .done(let produced):
                    settled.append((id, .done))
                    events += produced
                    JobMetrics.recordDone(kind: kind, createdAtMicroseconds: createdAt, nowMicroseconds: now)
                case .fail(let reason):
                    settled.append((id, .failed(reason)))
                    JobMetrics.recordFailure(kind: kind, dead: false)
                case .retry(let reason):
                    if attempts >= maxAttempts {
                        settled.append((id, .dead("gave up after \(attempts) attempts: \(reason)")))
                        JobMetrics.recordFailure(kind: kind, dead: true)
                    } else {
                        settled.append((id, .requeue(reason, runAfter: now + Self.micros(backoff.delay(afterAttempt: attempts)))))
                        requeued = true
                    }
                }
            }
            try await self.settle(settled, now: now, events: events, on: connection)
            if requeued { try await self.notify("jobs", on: connection) }
            return Set(ids).subtracting(rows.keys)
        }
    }

    /// Applies settled outcomes to jobs and batch items; completes the batches whose last open
    /// item this settled; appends `events` and the `batch.completed` ones last, under the feed's
    /// lock. The batches are locked (in id order) before their items change, so two workers
    /// settling a batch's last two items cannot both miss that it completed.
    func settle(_ outcomes: [(id: Int64, outcome: SettledOutcome)], now: Int64, events: [NewEvent],
                on connection: PostgresConnection) async throws {
        var events = events
        let terminal = outcomes.filter { $0.outcome.isTerminal }.map(\.id)
        var batches: [String] = []
        if !terminal.isEmpty {
            batches = try await fetch(
                """
                SELECT id FROM batches WHERE id IN (SELECT batch_id FROM batch_items WHERE job_id = ANY(\(terminal)))
                ORDER BY id FOR UPDATE
                """, on: connection) { try $0.decode(String.self) }
        }
        for (id, outcome) in outcomes {
            let runAfter: Int64? = if case .requeue(_, let at) = outcome { at } else { nil }
            let finishedAt: Int64? = outcome.isTerminal ? now : nil
            try await execute(
                """
                UPDATE jobs SET state = \(outcome.jobState.rawValue), last_error = coalesce(\(outcome.reason), last_error),
                    lease_owner = NULL, lease_until = NULL, run_after = coalesce(\(runAfter), run_after), finished_at = \(finishedAt)
                WHERE id = \(id)
                """, on: connection)
            let itemReason = outcome.itemState == .failed ? outcome.reason : nil
            try await execute(
                """
                UPDATE batch_items SET state = \(outcome.itemState.rawValue), reason = \(itemReason)
                WHERE job_id = \(id) AND state IN ('queued', 'running')
                """, on: connection)
        }
        events += try await completeBatches(batches, now: now, on: connection)
        try await append(events, on: connection)
    }

    /// The `batch.completed` events of the (locked) batches that have no open item left.
    func completeBatches(_ ids: [String], now: Int64, on connection: PostgresConnection) async throws -> [NewEvent] {
        guard !ids.isEmpty else { return [] }
        let done = try await fetch(
            """
            UPDATE batches b SET completed_at = \(now)
            FROM (SELECT batch_id, count(*) AS items, count(*) FILTER (WHERE state = 'done') AS done,
                         count(*) FILTER (WHERE state = 'failed') AS failed
                  FROM batch_items WHERE batch_id = ANY(\(ids)) GROUP BY batch_id) c
            WHERE b.id = c.batch_id AND b.completed_at IS NULL AND c.done + c.failed = c.items
            RETURNING b.id, c.items, c.done, c.failed
            """, on: connection) { try $0.decode((String, Int, Int, Int).self) }
        return try done.sorted { $0.0 < $1.0 }.map { id, items, done, failed in
            try NewEvent(kind: EventKind.batchCompleted, subject: id,
                         body: BatchCompletedBody(batchID: id, items: items, done: done, failed: failed))
        }
    }

    public func release(ids: [Int64], owner: String) async throws(JobQueueError) {
        guard !ids.isEmpty else { return }
        try await transaction { connection in
            let released = try await self.fetch(
                """
                UPDATE jobs SET state = 'queued', attempts = GREATEST(attempts - 1, 0), lease_owner = NULL, lease_until = NULL,
                    run_after = \(unescaped: self.nowSQL)
                WHERE state = 'running' AND lease_owner = \(owner) AND id = ANY(\(ids)) RETURNING id
                """, on: connection) { try $0.decode(Int64.self) }
            guard !released.isEmpty else { return }
            try await self.execute(
                "UPDATE batch_items SET state = 'queued' WHERE state = 'running' AND job_id = ANY(\(released))", on: connection)
            try await self.notify("jobs", on: connection)
        }
    }

    public func job(id: Int64) async throws(JobQueueError) -> Job? {
        try await withConnection { connection in
            try await self.fetch("SELECT \(unescaped: Self.jobColumns) FROM jobs WHERE id = \(id)", on: connection, Self.job).first
        }
    }

    public func stats() async throws(JobQueueError) -> QueueStats {
        let stats = try await withConnection { connection in
            var counts: [JobState: Int] = [:]
            for (state, count) in try await self.fetch("SELECT state, count(*) FROM jobs GROUP BY state", on: connection, {
                try $0.decode((String, Int).self)
            }) {
                if let state = JobState(rawValue: state) { counts[state] = count }
            }
            let (oldest, expired) = try await self.fetch(
                """
                SELECT \(unescaped: self.nowSQL) - (SELECT min(created_at) FROM jobs WHERE state = 'queued'),
                       (SELECT count(*) FROM jobs WHERE state = 'running' AND lease_until < \(unescaped: self.nowSQL))
                """, on: connection) { try $0.decode((Int64?, Int).self) }.first ?? (nil, 0)
            return QueueStats(counts: counts, oldestQueuedAge: oldest.map { Double($0) / 1_000_000 }, expiredLeases: expired)
        }
        JobMetrics.recordDepth(stats)
        return stats
    }

    public func hasWork(kinds: [String]) async throws(JobQueueError) -> Bool {
        guard !kinds.isEmpty else { return false }
        return try await withConnection { connection in
            try await self.fetch(
                "SELECT EXISTS (SELECT 1 FROM jobs WHERE state IN ('queued', 'running') AND kind = ANY(\(kinds)))", on: connection
            ) { try $0.decode(Bool.self) }.first ?? false
        }
    }

    public func deadJobs(limit: Int) async throws(JobQueueError) -> [Job] {
        try await withConnection { connection in
            try await self.fetch(
                """
                SELECT \(unescaped: Self.jobColumns) FROM jobs WHERE state = 'dead'
                ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT \(max(0, limit))
                """, on: connection, Self.job)
        }
    }

    @discardableResult
    public func retryDead(ids: [Int64]?) async throws(JobQueueError) -> Int {
        try await transaction { connection in
            let revived = try await self.fetch(
                """
                UPDATE jobs SET state = 'queued', attempts = 0, run_after = \(unescaped: self.nowSQL), finished_at = NULL,
                    lease_owner = NULL, lease_until = NULL
                WHERE state = 'dead' AND (\(ids == nil) OR id = ANY(\(ids ?? []))) RETURNING id
                """, on: connection) { try $0.decode(Int64.self) }
            guard !revived.isEmpty else { return 0 }
            try await self.execute(
                """
                UPDATE batches SET completed_at = NULL
                WHERE id IN (SELECT batch_id FROM batch_items WHERE job_id = ANY(\(revived)))
                """, on: connection)
            try await self.execute(
                "UPDATE batch_items SET state = 'queued', reason = NULL WHERE job_id = ANY(\(revived))", on: connection)
            try await self.notify("jobs", on: connection)
            return revived.count
        }
    }

    public func jobWakeupToken() async -> UInt64 { await jobWakeups.current }

    public func waitForJobs(since token: UInt64, timeout: Duration) async {
        await jobWakeups.wait(since: token, timeout: min(timeout, pollInterval))
    }
}
