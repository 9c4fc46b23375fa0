import Catalog
import Foundation
import Jobs
import Testing
import TestSupport

@Suite struct BatchContractTests {
    static let sha = (0..<4).map { String(repeating: String("abcd".map { $0 }[$0]), count: 64) }

    static func item(_ index: Int, priority: JobPriority = .online) -> NewBatchItem {
        NewBatchItem(name: "photo\(index).jpg", sha256: sha[index],
                     job: NewJob(kind: "image.analyse", idempotencyKey: "image.analyse:\(sha[index]):m:1", payload: "{}", priority: priority))
    }

    @Test(arguments: TestBackend.allCases)
    func batchItemsFollowTheirJobsAndCompleteOnce(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend) { queues in
            let queue = queues.first
            let receipt = try await queue.createBatch(NewBatch(
                model: "m", modelVersion: "1", priority: .online,
                items: [Self.item(0), NewBatchItem(name: "notes.txt", sha256: nil, failure: "not an image"), Self.item(1), Self.item(0)]))
            #expect(receipt.items.map(\.state) == [.queued, .failed, .queued, .queued])
            #expect(receipt.items[0].jobID == receipt.items[3].jobID, "the same bytes twice share one job")
            #expect(receipt.items[1].reason == "not an image" && receipt.items[1].jobID == nil)

            // Labels come from the catalog's predictions for the batch's model.
            _ = try await queues.catalog.record(
                image: NewImage(sha256: Self.sha[0], bytes: 10, format: "jpeg", width: 2, height: 2, phash: 1),
                predictions: [PredictionRecord(sha256: Self.sha[0], model: "m", modelVersion: "1",
                                               labels: [StoredLabel(index: 281, name: "tabby, tabby cat", score: 0.7)])],
                embeddings: [])

            let jobs = try await queue.claim(kinds: ["image.analyse"], limit: 10, owner: "w", lease: .seconds(30))
            #expect(jobs.count == 2)
            #expect(try await queue.batch(id: receipt.id)?.items.map(\.state) == [.running, .failed, .running, .running])
            let first = try #require(receipt.items[0].jobID), second = try #require(receipt.items[2].jobID)
            try await queue.finish([(first, .done(events: [NewEvent(kind: "image.labelled", subject: Self.sha[0], data: "{}")]))], owner: "w")
            var status = try #require(try await queue.batch(id: receipt.id))
            #expect(!status.isComplete)
            #expect(status.items[0].labels?.first?.name == "tabby, tabby cat")
            #expect(status.items[3].state == .done && status.items[2].state == .running)
            try await queue.finish([(second, .fail(reason: "the JPEG data is corrupt"))], owner: "w")
            status = try #require(try await queue.batch(id: receipt.id))
            #expect(status.isComplete)
            #expect(status.items[2].state == .failed && status.items[2].reason == "the JPEG data is corrupt")
            #expect(status.counts == [.done: 2, .failed: 2])

            let events = try await queue.events(after: 0, limit: 100)
            let completed = events.filter { $0.kind == EventKind.batchCompleted }
            #expect(completed.count == 1 && completed.first?.subject == receipt.id)
            let body = try JSONDecoder().decode(BatchCompletedBody.self, from: Data(try #require(completed.first).data.utf8))
            #expect(body.items == 4 && body.done == 2 && body.failed == 2)
            #expect(try await queue.batch(id: "b_nope") == nil)
        }
    }

    /// A batch is all or nothing: one bad job row rolls back the batch, its items and every job.
    @Test(arguments: TestBackend.allCases)
    func aBatchIsCreatedInOneTransaction(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend) { queues in
            var broken = Self.item(2)
            broken.job?.maxAttempts = 0  // violates jobs_max_attempts_positive, after two good items
            await #expect(throws: JobQueueError.self) {
                _ = try await queues.first.createBatch(NewBatch(model: "m", modelVersion: "1", priority: .online,
                                                                items: [Self.item(0), Self.item(1), broken]))
            }
            let stats = try await queues.first.stats()
            #expect(stats.counts.values.reduce(0, +) == 0, "no job survived the failed batch")
            #expect(try await queues.first.events(after: 0, limit: 10).isEmpty)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func aBatchOfOnlyRejectsCompletesAtOnce(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend) { queues in
            let receipt = try await queues.first.createBatch(NewBatch(
                model: "m", modelVersion: "1", priority: .online, items: [NewBatchItem(name: "x", sha256: nil, failure: "empty file")]))
            #expect(try await queues.first.batch(id: receipt.id)?.isComplete == true)
            #expect(try await queues.first.events(after: 0, limit: 10).map(\.kind) == [EventKind.batchCompleted])
        }
    }

    @Test(arguments: TestBackend.allCases)
    func deadJobsFailTheirItemsAndRetryReopensThem(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend) { queues in
            var item = Self.item(0)
            item.job?.maxAttempts = 1
            let receipt = try await queues.first.createBatch(NewBatch(model: "m", modelVersion: "1", priority: .online, items: [item]))
            let id = try #require(receipt.items[0].jobID)
            _ = try await queues.first.claim(kinds: ["image.analyse"], limit: 1, owner: "w", lease: .seconds(30))
            try await queues.first.finish([(id, .retry(reason: "store unreachable"))], owner: "w")
            var status = try #require(try await queues.first.batch(id: receipt.id))
            #expect(status.isComplete && status.items[0].state == .failed)
            #expect(status.items[0].reason?.contains("store unreachable") == true)
            #expect(try await queues.first.retryDead(ids: nil) == 1)
            status = try #require(try await queues.first.batch(id: receipt.id))
            #expect(!status.isComplete && status.items[0].state == .queued)
        }
    }
}
