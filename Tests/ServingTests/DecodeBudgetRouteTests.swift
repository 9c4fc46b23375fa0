import Classification
import Foundation
import Hummingbird
import HummingbirdTesting
import ImageDecoding
import NIOCore
@testable import Serving
import Testing
import TestSupport

/// Pixel memory and decode threads over HTTP: each refusal is the answer its cause calls for.
@Suite("decode budget and queue over /v1/classify", .serialized)
struct DecodeBudgetRouteTests {
    @Test("an image that alone needs more pixel memory than the budget is 413 too_large_to_decode")
    func tooLargeForTheBudget() async throws {
        let photo = try photoBytes("coffee.png")
        let header = try ImageHeader.read(photo)
        try #require(ImageDecoder.peakBytes(for: header, minimumShorterSide: nil) > 1_048_576)
        let server = try await TestServer.open { $0.limits.decodeBudgetBytes = 1_048_576 }
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            let response = try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.classify, contentType: "image/png"),
                                                    body: ByteBuffer(bytes: photo))
            #expect(response.status == .contentTooLarge)
            #expect(try ErrorBody.decode(response).error.code == "too_large_to_decode")
        }
        await server.close()
    }

    @Test("while the budget is spent a miss is 503 decode_busy with Retry-After; once memory is back it is answered")
    func busyThenServed() async throws {
        let photo = try photoBytes("rocket.jpg")
        let server = try await TestServer.open {
            $0.limits.decodeBudgetBytes = 64 * 1_048_576
            $0.limits.decodeWaitMilliseconds = 0
        }
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            let budget = server.runtime.service.decoding.budget
            try await budget.reserve(budget.capacity, waiting: .zero)
            let busy = try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.classify), body: ByteBuffer(bytes: photo))
            #expect(busy.status == .serviceUnavailable)
            #expect(try ErrorBody.decode(busy).error.code == "decode_busy")
            #expect(busy.headers[.retryAfter] == "1")
            budget.release(budget.capacity)
            let served = try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.classify), body: ByteBuffer(bytes: photo))
            #expect(served.status == .ok, "\(String(buffer: served.body))")
            #expect(budget.available == budget.capacity, "the reservation was not returned")
        }
        await server.close()
    }
}
