import Catalog
import Foundation
import Jobs
import Testing
import TestSupport

@Suite struct EventFeedTests {
    /// Writers on two pools append concurrently while a consumer pages from its last offset:
    /// it sees every event exactly once, in increasing offset order, with nothing skipped.
    @Test(arguments: TestBackend.allCases)
    func aResumingConsumerMissesNothing(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend) { queues in
            let writers = 6, perWriter = 25
            let consumed = try await withThrowingTaskGroup(of: [Int64]?.self) { group in
                for writer in 0..<writers {
                    let queue = writer.isMultiple(of: 2) ? queues.first : queues.second
                    group.addTask {
                        for i in 0..<perWriter {
                            try await queue.append([NewEvent(kind: "test.event", subject: "w\(writer)", data: "{\"i\":\(i)}")])
                        }
                        return nil
                    }
                }
                group.addTask {
                    var offset: Int64 = 0
                    var seen: [Int64] = []
                    let deadline = ContinuousClock.now + .seconds(120)
                    while seen.count < writers * perWriter, ContinuousClock.now < deadline {
                        let page = try await queues.first.events(after: offset, limit: 7)
                        if page.isEmpty {
                            _ = try await queues.first.waitForEvents(after: offset, timeout: .seconds(1))
                            continue
                        }
                        seen += page.map(\.id)
                        offset = page.last!.id
                    }
                    return seen
                }
                var result: [Int64] = []
                for try await ids in group { if let ids { result = ids } }
                return result
            }
            #expect(consumed.count == writers * perWriter)
            #expect(consumed == consumed.sorted() && Set(consumed).count == consumed.count)
            let all = try await queues.first.events(after: 0, limit: 1_000).map(\.id)
            #expect(all == consumed, "the consumer saw exactly the committed feed")
            #expect(try await queues.second.latestEventID() == all.last)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func eventsCommitWithTheJobThatProducedThem(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend) { queues in
            let id = try await queues.first.enqueue(TestQueues.job("x")).id
            _ = try await queues.first.claim(kinds: ["test.work"], limit: 1, owner: "w", lease: .seconds(30))
            #expect(try await queues.first.events(after: 0, limit: 10).isEmpty)
            let event = try NewEvent(kind: EventKind.imageLabelled, subject: "abc", body: ["sha256": "abc"])
            // A finish by a worker that lost the job appends nothing.
            try await queues.first.finish([(id, .done(events: [event]))], owner: "intruder")
            #expect(try await queues.first.events(after: 0, limit: 10).isEmpty)
            try await queues.first.finish([(id, .done(events: [event]))], owner: "w")
            let events = try await queues.second.events(after: 0, limit: 10)
            #expect(events.map(\.kind) == [EventKind.imageLabelled])
            #expect(events.first?.json.contains("\"data\":{\"sha256\":\"abc\"}") == true)
            #expect(events.first?.json.contains("\"kind\":\"image.labelled\"") == true)
        }
    }

    @Test func kindFiltersMatchExactlyOrByPrefix() {
        let event = Event(id: 1, kind: "image.labelled", subject: nil, data: "{}", createdAt: Date())
        #expect(event.matches([]) && event.matches(["*"]) && event.matches(["image.*"]) && event.matches(["image.labelled"]))
        #expect(!event.matches(["image.embedded"]) && !event.matches(["batch.*"]) && !event.matches(["imag.*"]))
    }
}
