import Foundation
import Hummingbird
import HummingbirdTesting
import Keys
import NIOCore
@testable import Serving
import Testing
import TestSupport

@Suite("open event streams and long polls per key", .serialized)
struct StreamSlotTests {
    @Test("a key over its share of long polls is 429 too_many_streams; other keys are not; the slots come back when the polls end")
    func longPollsPerKey() async throws {
        let server = try await TestServer.open { $0.limits.maxStreamsPerKey = 2 }
        let graph = try await server.graph()
        let (app, jobs) = (graph.application(), graph.jobs)
        try await app.test(.router) { client in
            try await client.waitUntilReady()
            let key = try #require(server.tokens[.read])
            let keyID = try APIKey.parse(token: key).id
            // The feed is empty, so both wait for its first event.
            async let first = client.execute(uri: "/v1/events?after=0&wait=60", method: .get, headers: server.headers(.read))
            async let second = client.execute(uri: "/v1/events?after=0&wait=60", method: .get, headers: server.headers(.read))
            try await poll("both long polls to hold a slot") { jobs.streams.held(by: keyID) == 2 }
            let third = try await client.execute(uri: "/v1/events?after=1000000&wait=60", method: .get, headers: server.headers(.read))
            #expect(third.status == .tooManyRequests)
            #expect(try ErrorBody.decode(third).error.code == "too_many_streams")
            #expect(third.headers[.retryAfter] != nil)
            let stream = try await client.execute(uri: "/v1/events/stream?after=1000000", method: .get, headers: server.headers(.read))
            #expect(stream.status == .tooManyRequests, "an event stream counts against the same share")
            // Another key is not limited by this one's polls (no wait: it answers at once).
            let other = try await client.execute(uri: "/v1/events?wait=0", method: .get, headers: server.headers(.admin))
            #expect(other.status == .ok)
            // A batch publishes events, which end both polls and give their slots back.
            let batch = try await client.execute(uri: "/v1/batches", method: .post,
                                                 headers: server.headers(.ingest, contentType: "multipart/form-data; boundary=lenscale-batch"),
                                                 body: JobRouteTests.multipart([("rocket.jpg", try photoBytes("rocket.jpg"))]))
            #expect(batch.status == .accepted)
            let (one, two) = try await (first, second)
            #expect(one.status == .ok && two.status == .ok)
            #expect(jobs.streams.held(by: keyID) == 0)
            let again = try await client.execute(uri: "/v1/events?wait=0", method: .get, headers: server.headers(.read))
            #expect(again.status == .ok)
        }
        await server.close()
    }

    @Test("slots are counted per key and given back")
    func slots() throws {
        let slots = StreamSlots(perKey: 2)
        try slots.take("a")
        try slots.take("a")
        #expect(throws: APIError.self) { try slots.take("a") }
        try slots.take("b")
        slots.give("a")
        try slots.take("a")
        #expect(slots.held(by: "a") == 2 && slots.held(by: "b") == 1)
    }
}
