import Catalog
import Foundation
import Jobs
import Submissions
import Testing
import TestSupport
import Workers

/// The embedded mode in one process: SQLite, the file store, the submitter and a worker.
@Suite(.serialized) struct EmbeddedEndToEndTests {
    static var photos: [URL] {
        get throws { try LabelledPhotos.all.map(\.url) }
    }

    @Test func submitThenWorkLabelsEveryImageOnce() async throws {
        try await WorkerRig.with { rig in
            let good = try Self.photos
            #expect(good.count >= 20)
            var uploads = good.map { BatchUpload.file(path: $0.path) }
            uploads.append(.bytes(name: "notes.txt", bytes: BadInputs.text))
            uploads.append(.bytes(name: "again.jpg", bytes: try Array(Data(contentsOf: good[0]))))
            uploads.append(.storedKey("no/such/key.jpg"))
            let receipt = try await rig.submitter.submit(uploads)
            #expect(receipt.items.count == good.count + 3)
            #expect(receipt.items[good.count].state == .failed)
            #expect(receipt.items[good.count].reason?.contains("not an image") == true)
            #expect(receipt.items[good.count + 1].jobID == receipt.items[0].jobID, "the same bytes share one job")
            #expect(receipt.items[good.count + 2].reason?.contains("no object with key") == true)
            // Everything accepted is durably stored before the batch id is returned.
            for item in receipt.items where item.state == .queued {
                #expect(try await rig.workspace.store.head(try #require(item.sha256)) != nil)
            }

            let summary = await rig.worker().run()
            #expect(summary.done == good.count && summary.failed == 0)

            let status = try #require(try await rig.queue.batch(id: receipt.id))
            #expect(status.isComplete)
            #expect(status.counts == [.done: good.count + 1, .failed: 2], "\(Set(status.items.compactMap(\.reason)))")
            for item in status.items where item.state == .done {
                #expect(item.labels?.count == 5, "\(item.name) has its labels")
            }
            // One prediction and one embedding per image, whatever the duplicates in the batch.
            #expect(try await rig.workspace.catalog.imageCount() == good.count)
            for item in status.items where item.state == .done {
                let sha = try #require(item.sha256)
                #expect(try await rig.workspace.catalog.predictions(sha256: sha).count == 1)
                #expect(try await rig.workspace.catalog.embedding(sha256: sha, model: "efficientnet-lite0") != nil)
            }
            let events = try await rig.queue.events(after: 0, limit: 1_000)
            let kinds = Dictionary(grouping: events, by: \.kind).mapValues(\.count)
            #expect(kinds[EventKind.imageIngested] == good.count)
            #expect(kinds[EventKind.imageLabelled] == good.count)
            #expect(kinds[EventKind.imageEmbedded] == good.count)
            #expect(kinds[EventKind.batchCompleted] == 1)
            #expect(events.last?.kind == EventKind.batchCompleted)

            // The same photos again: the jobs find their work done and skip the model.
            let again = try await rig.submitter.submit(good.prefix(3).map { .file(path: $0.path) })
            let second = await rig.worker().run()
            #expect(second.done == 3)
            #expect(try await rig.queue.batch(id: again.id)?.items.allSatisfy { $0.state == .done && $0.labels?.count == 5 } == true)
            #expect(try await rig.workspace.catalog.imageCount() == good.count)
        }
    }

    /// Near copies in a batch are reported as `image.duplicate_found`.
    @Test func nearDuplicatesAreAnnounced() async throws {
        try await WorkerRig.with { rig in
            let original = TestPaths.sharedImage("coffee.png")
            let copy = TestPaths.fixture("lossy.webp")
            _ = try await rig.submitter.submit([.file(path: original.path), .file(path: copy.path)])
            await rig.worker().run()
            let events = try await rig.queue.events(after: 0, limit: 100)
            let found = events.filter { $0.kind == EventKind.imageDuplicateFound }
            #expect(!found.isEmpty, "\(events.map(\.kind))")
            #expect(found.allSatisfy { $0.data.contains("\"distance\"") })
        }
    }

    /// A stored object whose bytes no longer hash to its key (a damaged disk, a hand edit) fails
    /// its job for good, saying so, instead of labelling other bytes under that hash.
    @Test func aDamagedStoredObjectFailsItsJob() async throws {
        try await WorkerRig.with { rig in
            let receipt = try await rig.submitter.submit([.file(path: TestPaths.sharedImage("rocket.jpg").path)])
            let sha256 = try #require(receipt.items.first?.sha256)
            // Another real photo's bytes under this key: it would decode and classify fine.
            let files = FileManager.default.enumerator(at: rig.directory, includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }.filter { $0.lastPathComponent == sha256 } ?? []
            let file = try #require(files.first, "the stored object's file")
            try Data(contentsOf: TestPaths.sharedImage("coffee.png")).write(to: file)

            let summary = await rig.worker().run()
            #expect(summary.failed == 1 && summary.done == 0)
            let jobID = try #require(receipt.items.first?.jobID)
            let job = try #require(try await rig.queue.job(id: jobID))
            #expect(job.state == .dead || job.state == .failed, "\(job.state)")
            #expect(job.lastError?.contains("does not hash to its key") == true, "\(job.lastError ?? "")")
            #expect(try await rig.workspace.catalog.imageCount() == 0, "nothing recorded under the damaged key")
        }
    }

    /// A worker stopped while idle returns promptly; one stopped mid-batch records its jobs.
    @Test func cancellingAWorkerFinishesTheJobsInHand() async throws {
        try await WorkerRig.with { rig in
            let receipt = try await rig.submitter.submit(try Self.photos.prefix(8).map { .file(path: $0.path) })
            let worker = rig.worker(exitWhenIdle: false)
            let task = Task { await worker.run() }
            while try await rig.queue.stats().counts[.running, default: 0] == 0,
                  try await rig.queue.stats().counts[.done, default: 0] == 0 {
                try await Task.sleep(for: .milliseconds(5))
            }
            task.cancel()
            let summary = await task.value
            let stats = try await rig.queue.stats()
            #expect(stats.counts[.running] == 0, "nothing left claimed after a graceful stop")
            #expect(summary.done == stats.counts[.done])
            #expect(summary.done > 0)
            let status = try #require(try await rig.queue.batch(id: receipt.id))
            #expect(status.items.allSatisfy { $0.state == .done || $0.state == .queued })
        }
    }
}
