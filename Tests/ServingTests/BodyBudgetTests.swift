import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Serving
import Testing
import TestSupport

/// The global budget of upload bytes: taken before a body is read, given back after, and a
/// spent budget is a 503 with Retry-After, not a queue.
@Suite("the global in-flight upload budget", .serialized)
struct BodyBudgetTests {
    @Test("acquire and release account exactly; nothing over the capacity is granted")
    func accounting() {
        let budget = BodyBudget(capacity: 100)
        #expect(budget.tryAcquire(60))
        #expect(!budget.tryAcquire(41))
        #expect(budget.tryAcquire(40))
        #expect(budget.inUse == 100)
        budget.release(60)
        #expect(budget.tryAcquire(60))
        #expect(!budget.tryAcquire(Int.max))
    }

    @Test("a spent budget answers 503 with Retry-After; the bytes come back after each request")
    func overHTTP() async throws {
        let server = try await TestServer.open { $0.limits.maxInFlightBytes = 30 * 1024 * 1024 }
        let jpeg = try photoBytes("rocket.jpg")
        let budget = server.runtime.bodyBudget
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            let first = try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.classify), body: ByteBuffer(bytes: jpeg))
            #expect(first.status == .ok)
            #expect(budget.inUse == 0, "a finished request kept its bytes")
            // Other uploads (simulated) hold all but a few bytes.
            let held = budget.capacity - 100
            #expect(budget.tryAcquire(held))
            var headers = server.headers(.classify)
            headers[.contentLength] = String(jpeg.count)
            let busy = try await client.execute(uri: "/v1/classify", method: .post, headers: headers, body: ByteBuffer(bytes: jpeg))
            #expect(busy.status == .serviceUnavailable)
            #expect(try ErrorBody.decode(busy).error.code == "busy")
            #expect(busy.headers[.retryAfter] == "1")
            // GETs need no budget.
            let get = try await client.execute(uri: "/healthz", method: .get)
            #expect(get.status == .ok)
            budget.release(held)
            let again = try await client.execute(uri: "/v1/classify", method: .post, headers: headers, body: ByteBuffer(bytes: jpeg))
            #expect(again.status == .ok)
            #expect(budget.inUse == 0)
        }
        await server.close()
    }

    @Test("max_inflight_bytes is read and must fit one upload")
    func configuration() throws {
        #expect(try ServeConfiguration.parse(yaml: "limits: {max_inflight_bytes: 100000000}\n").limits.maxInFlightBytes == 100_000_000)
        #expect(throws: ConfigurationError.self) { try ServeConfiguration.parse(yaml: "limits: {max_inflight_bytes: 1000, max_body_bytes: 2000}\n") }
    }
}
