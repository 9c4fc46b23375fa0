import Classification
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import Serving
import Testing
import TestSupport

@Suite("dynamic batching, single flight, overload and cancellation", .serialized)
struct BatchingTests {
    @Test("concurrent requests for different photos share model calls (batches larger than 1)")
    func batchesForm() async throws {
        // A batch leaves when it is full (4), never on the clock: with a 50 ms delay, a loaded
        // machine decoding the uploads one by one let each request leave alone. Twelve photos
        // make three full batches, whatever the timing; the 10 s delay only ends a short one.
        let server = try await TestServer.open {
            $0.models[0].batcher.maxBatchSize = 4
            $0.models[0].batcher.maxQueueDelayMicroseconds = 10_000_000
        }
        defer { Task { await server.close() } }
        let images = try photos(12).map { Array(try Data(contentsOf: $0.url)) }
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for bytes in images {
                    group.addTask {
                        try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.classify),
                                                 body: ByteBuffer(bytes: bytes)) { $0.status }
                    }
                }
                for try await status in group { #expect(status == .ok) }
            }
        }
        // Warm-up batches are not recorded: these are the requests' batches only.
        let sizes = await server.runtime.service.endpoints["efficientnet-lite0"]!.batcher.recentBatchSizes
        #expect(sizes.reduce(0, +) == Set(images.map { ContentHashHex.of($0) }).count)
        #expect((sizes.max() ?? 0) > 1, "every batch had one image: \(sizes)")
    }

    @Test("concurrent requests for the same new photo run the model once")
    func singleFlight() async throws {
        let server = try await TestServer.open { $0.models[0].batcher.maxQueueDelayMicroseconds = 20_000 }
        defer { Task { await server.close() } }
        let bytes = try photoBytes("egret.jpg")
        let caches = try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            return try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.classify),
                                                 body: ByteBuffer(bytes: bytes)) { try ClassifyBody.decode($0).cache }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        // Warm-up batches are not recorded: these are the requests' batches only.
        let sizes = await server.runtime.service.endpoints["efficientnet-lite0"]!.batcher.recentBatchSizes
        #expect(sizes == [1], "the same image went to the model \(sizes.reduce(0, +)) times")
        #expect(caches.count == 8)
    }

    @Test("a full queue answers 429 with Retry-After, and the server recovers")
    func overload() async throws {
        let server = try await TestServer.open {
            $0.models[0].batcher.maxBatchSize = 1
            $0.models[0].batcher.maxQueueSize = 1
            $0.models[0].batcher.maxQueueDelayMicroseconds = 0
        }
        defer { Task { await server.close() } }
        let images = try LabelledPhotos.all.map { Array(try Data(contentsOf: $0.url)) }
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?, String?).self) { group in
                for bytes in images {
                    group.addTask {
                        try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.classify),
                                                 body: ByteBuffer(bytes: bytes)) { response in
                            (response.status, response.headers[.retryAfter], try? ErrorBody.decode(response).error.code)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // Whether the storm overflows a queue of one depends on timing; what may never happen is
            // any other answer, or a refusal without its Retry-After.
            let refused = answers.filter { $0.0 == .tooManyRequests }
            #expect(refused.allSatisfy { $0.1 == "1" && $0.2 == "overloaded" })
            #expect(answers.allSatisfy { $0.0 == .ok || $0.0 == .tooManyRequests })
            let again = try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.classify),
                                                 body: ByteBuffer(bytes: images[0]))
            #expect(again.status == .ok)
        }
    }

    @Test("a full queue refuses at once, and the refusal is a 429 with Retry-After")
    func queueBound() async throws {
        let classifier = try Classifiers.named("efficientnet-lite0")
        var settings = BatcherSettings()
        settings.maxBatchSize = 1
        settings.maxQueueSize = 1
        let batcher = DynamicBatcher(classifier: classifier, settings: settings)
        let prepared = try classifier.prepare(try photoBytes("rocket.jpg"))
        // No loop runs, so the first request holds the only place in the queue.
        let first = Task { try await batcher.classify(prepared) }
        while await batcher.queueDepth == 0 { try await Task.sleep(for: .milliseconds(5)) }
        await #expect(throws: BatcherError.overloaded) { try await batcher.classify(prepared) }
        first.cancel()
        _ = try? await first.value
        let answer = try #require(APIError.mapping(BatcherError.overloaded) as? APIError)
        #expect(answer.status == .tooManyRequests)
        #expect(answer.retryAfter == 1)
        #expect(answer.code == "overloaded")
    }

    @Test("a cancelled request leaves the batcher's queue without being run")
    func cancellation() async throws {
        let classifier = try Classifiers.named("efficientnet-lite0")
        var settings = BatcherSettings()
        settings.maxBatchSize = 4
        let batcher = DynamicBatcher(classifier: classifier, settings: settings)
        let prepared = try classifier.prepare(try photoBytes("rocket.jpg"))
        // The batcher's loop is not running, so the request stays queued until cancelled.
        let request = Task { try await batcher.classify(prepared) }
        while await batcher.queueDepth == 0 { try await Task.sleep(for: .milliseconds(5)) }
        request.cancel()
        await #expect(throws: CancellationError.self) { try await request.value }
        #expect(await batcher.queueDepth == 0)
        #expect(await batcher.batchesRun == 0)
    }

    @Test("the batcher runs what is queued once its loop starts, and refuses work after it stops")
    func loopLifecycle() async throws {
        let classifier = try Classifiers.named("efficientnet-lite0")
        let batcher = DynamicBatcher(classifier: classifier, settings: BatcherSettings())
        let prepared = try classifier.prepare(try photoBytes("coffee.png"))
        let loop = Task { await batcher.run() }
        let prediction = try await batcher.classify(prepared)
        #expect(prediction.labels.count == DynamicBatcher.labelDepth)
        #expect(prediction.embedding?.count == 1280)
        loop.cancel()
        await loop.value
        await #expect(throws: BatcherError.stopped) { try await batcher.classify(prepared) }
    }
}
