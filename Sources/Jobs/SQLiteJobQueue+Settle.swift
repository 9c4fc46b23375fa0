import Catalog
import Foundation
import GRDB

extension SQLiteJobQueue {
    /// Applies settled outcomes to jobs and their batch items, and completes the batches whose
    /// last open item this settled (appending `batch.completed`). Returns whether any did.
    static func settle(_ outcomes: [(id: Int64, outcome: SettledOutcome)], now: Int64, in db: Database) throws -> Bool {
        guard !outcomes.isEmpty else { return false }
        for (id, outcome) in outcomes {
            let runAfter: Int64? = if case .requeue(_, let at) = outcome { at } else { nil }
            try db.execute(
                sql: """
                    UPDATE jobs SET state = ?, last_error = coalesce(?, last_error), lease_owner = NULL, lease_until = NULL,
                        run_after = coalesce(?, run_after), finished_at = ?
                    WHERE id = ?
                    """,
                arguments: [outcome.jobState.rawValue, outcome.reason, runAfter, outcome.isTerminal ? now : nil, id])
            try db.execute(
                sql: "UPDATE batch_items SET state = ?, reason = ? WHERE job_id = ? AND state IN ('queued', 'running')",
                arguments: [outcome.itemState.rawValue, outcome.itemState == .failed ? outcome.reason : nil, id])
        }
        let terminal = outcomes.filter { $0.outcome.isTerminal }.map(\.id)
        guard !terminal.isEmpty else { return false }
        let batches = try String.fetchAll(
            db,
            sql: "SELECT DISTINCT batch_id FROM batch_items WHERE job_id IN (\(placeholders(terminal.count))) ORDER BY batch_id",
            arguments: StatementArguments(terminal))
        return try completeBatches(batches, now: now, in: db)
    }

    /// Marks each batch without open items complete, once, with its `batch.completed` event.
    static func completeBatches(_ ids: [String], now: Int64, in db: Database) throws -> Bool {
        var events: [NewEvent] = []
        for id in ids {
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS items, coalesce(sum(state = 'done'), 0) AS done, coalesce(sum(state = 'failed'), 0) AS failed
                    FROM batch_items WHERE batch_id = ?
                    """,
                arguments: [id]) else { continue }
            let items: Int = row["items"], done: Int = row["done"], failed: Int = row["failed"]
            guard done + failed == items else { continue }
            try db.execute(sql: "UPDATE batches SET completed_at = ? WHERE id = ? AND completed_at IS NULL", arguments: [now, id])
            guard db.changesCount == 1 else { continue }
            events.append(try NewEvent(kind: EventKind.batchCompleted, subject: id,
                                       body: BatchCompletedBody(batchID: id, items: items, done: done, failed: failed)))
        }
        try append(events, in: db)
        return !events.isEmpty
    }
}
