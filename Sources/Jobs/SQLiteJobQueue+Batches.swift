import Catalog
import Foundation
import GRDB

extension SQLiteJobQueue {
    public func createBatch(_ batch: NewBatch) async throws(JobQueueError) -> BatchReceipt {
        let id = BatchID.make()
        let now = self.now()
        let receipt = try await write { db in
            try db.execute(
                sql: "INSERT INTO batches (id, model, model_version, priority, item_count, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, batch.model, batch.modelVersion, batch.priority.rawValue, batch.items.count, now])
            var items: [BatchReceipt.Item] = []
            for (index, item) in batch.items.enumerated() {
                var jobID: Int64?
                var newJob = false
                if let job = item.job {
                    let enqueued = try Self.enqueue(job, now: now, in: db)
                    jobID = enqueued.id
                    newJob = enqueued.inserted
                }
                let state: BatchItemState = jobID == nil ? .failed : .queued
                let reason = jobID == nil ? (item.failure ?? "rejected") : nil
                try db.execute(
                    sql: "INSERT INTO batch_items (batch_id, item_index, name, sha256, state, reason, job_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [id, index, item.name, item.sha256, state.rawValue, reason, jobID])
                items.append(BatchReceipt.Item(index: index, name: item.name, sha256: item.sha256, state: state,
                                               reason: reason, jobID: jobID, newJob: newJob))
            }
            // A shared job that is running already keeps its items in step.
            try db.execute(
                sql: """
                    UPDATE batch_items SET state = 'running' WHERE batch_id = ? AND state = 'queued'
                        AND job_id IN (SELECT id FROM jobs WHERE state = 'running')
                    """, arguments: [id])
            _ = try Self.completeBatches([id], now: now, in: db)
            return BatchReceipt(id: id, items: items)
        }
        await jobWakeups.signal()
        await eventWakeups.signal()
        return receipt
    }

    public func batch(id: String) async throws(JobQueueError) -> BatchStatus? {
        try await read { db in
            guard let batch = try Row.fetchOne(db, sql: "SELECT * FROM batches WHERE id = ?", arguments: [id]) else { return nil }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT i.item_index, i.name, i.sha256, i.state, i.reason, i.job_id, p.labels
                    FROM batch_items i
                    LEFT JOIN predictions p ON i.state = 'done' AND p.sha256 = i.sha256 AND p.model = ? AND p.model_version = ?
                    WHERE i.batch_id = ? ORDER BY i.item_index
                    """,
                arguments: [batch["model"] as String, batch["model_version"] as String, id])
            let items = try rows.map { row throws -> BatchItemStatus in
                let labels = try (row["labels"] as String?).map { try StoredLabelsJSON.decode($0) }
                return BatchItemStatus(
                    index: row["item_index"], name: row["name"], sha256: row["sha256"],
                    state: BatchItemState(rawValue: row["state"]) ?? .failed, reason: row["reason"],
                    labels: labels, jobID: row["job_id"])
            }
            return BatchStatus(
                id: id, model: batch["model"], modelVersion: batch["model_version"],
                priority: JobPriority(rawValue: batch["priority"]), createdAt: CatalogTime.date(microseconds: batch["created_at"]),
                completedAt: (batch["completed_at"] as Int64?).map(CatalogTime.date(microseconds:)), items: items)
        }
    }
}

/// Batch ids: random, so they can be handed to clients without revealing or inviting guesses.
enum BatchID {
    static func make() -> String {
        "b_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }
}

/// The predictions table's label JSON, as the catalog stores it.
enum StoredLabelsJSON {
    static func decode(_ text: String) throws -> [StoredLabel] {
        try JSONDecoder().decode([StoredLabel].self, from: Data(text.utf8))
    }
}
