import Catalog
import Foundation
import Logging
import PostgresNIO

extension PostgresJobQueue {
    public func createBatch(_ batch: NewBatch) async throws(JobQueueError) -> BatchReceipt {
        let id = BatchID.make()
        return try await transaction { connection in
            try await self.execute(
                """
                INSERT INTO batches (id, model, model_version, priority, item_count, created_at)
                VALUES (\(id), \(batch.model), \(batch.modelVersion), \(batch.priority.rawValue), \(batch.items.count),
                        \(unescaped: self.nowSQL))
                """, on: connection)
            var items: [BatchReceipt.Item] = []
            var jobIDs: [Int64?] = []
            for (index, item) in batch.items.enumerated() {
                var jobID: Int64?
                var newJob = false
                if let job = item.job {
                    let enqueued = try await self.enqueue(job, on: connection)
                    jobID = enqueued.id
                    newJob = enqueued.inserted
                }
                let state: BatchItemState = jobID == nil ? .failed : .queued
                let reason = jobID == nil ? (item.failure ?? "rejected") : nil
                jobIDs.append(jobID)
                items.append(BatchReceipt.Item(index: index, name: item.name, sha256: item.sha256, state: state,
                                               reason: reason, jobID: jobID, newJob: newJob))
            }
            // One statement for all items; -1 stands for "no job" since arrays cannot hold NULL here.
            try await self.execute(
                """
                INSERT INTO batch_items (batch_id, item_index, name, sha256, state, reason, job_id)
                SELECT \(id), position - 1, name, NULLIF(sha256, ''), state, NULLIF(reason, ''), NULLIF(job_id, -1)
                FROM unnest(\(items.map(\.name)), \(items.map { $0.sha256 ?? "" }), \(items.map(\.state.rawValue)),
                            \(items.map { $0.reason ?? "" }), \(jobIDs.map { $0 ?? -1 }))
                    WITH ORDINALITY AS i(name, sha256, state, reason, job_id, position)
                """, on: connection)
            try await self.execute(
                """
                UPDATE batch_items SET state = 'running' WHERE batch_id = \(id) AND state = 'queued'
                    AND job_id IN (SELECT jobs.id FROM jobs WHERE jobs.state = 'running')
                """, on: connection)
            let now = try await self.now(on: connection)
            try await self.append(try await self.completeBatches([id], now: now, on: connection), on: connection)
            try await self.notify("jobs", on: connection)
            return BatchReceipt(id: id, items: items)
        }
    }

    public func batch(id: String) async throws(JobQueueError) -> BatchStatus? {
        try await withConnection { connection in
            guard let batch = try await self.fetch(
                "SELECT model, model_version, priority, created_at, completed_at FROM batches WHERE id = \(id)", on: connection, {
                    try $0.decode((String, String, Int, Int64, Int64?).self)
                }).first else { return nil }
            let (model, version, priority, created, completed) = batch
            let items = try await self.fetch(
                """
                SELECT i.item_index, i.name, i.sha256, i.state, i.reason, i.job_id, p.labels::text
                FROM batch_items i
                LEFT JOIN predictions p ON i.state = 'done' AND p.sha256 = i.sha256 AND p.model = \(model)
                    AND p.model_version = \(version)
                WHERE i.batch_id = \(id) ORDER BY i.item_index
                """, on: connection
            ) { row in
                let (index, name, sha256, state, reason, jobID, labels) = try row.decode(
                    (Int, String, String?, String, String?, Int64?, String?).self)
                return BatchItemStatus(index: index, name: name, sha256: sha256, state: BatchItemState(rawValue: state) ?? .failed,
                                       reason: reason, labels: try labels.map(StoredLabelsJSON.decode), jobID: jobID)
            }
            return BatchStatus(id: id, model: model, modelVersion: version, priority: JobPriority(rawValue: priority),
                               createdAt: CatalogTime.date(microseconds: created),
                               completedAt: completed.map(CatalogTime.date(microseconds:)), items: items)
        }
    }
}
