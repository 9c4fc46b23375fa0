import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Keys
import NIOCore
import Serving
import Testing
import TestSupport
import Yams

@Suite("keys, scopes, limits and bad input over HTTP", .serialized)
struct AuthAndLimitsTests {
    @Test("no key is 401, a bad or revoked key is 401, a key without the scope is 403")
    func scopes() async throws {
        let server = try await TestServer.open()
        defer { Task { await server.close() } }
        let bytes = try photoBytes("rocket.jpg")
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            let none = try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(nil), body: ByteBuffer(bytes: bytes))
            #expect(none.status == .unauthorized)
            #expect(try ErrorBody.decode(none).error.code == "unauthenticated")
            #expect(none.headers[.cacheControl] == "no-store")

            var forged = server.headers(nil)
            forged[.authorization] = "Bearer lsk_0000000000000000_" + String(repeating: "0", count: 64)
            let bad = try await client.execute(uri: "/v1/classify", method: .post, headers: forged, body: ByteBuffer(bytes: bytes))
            #expect(bad.status == .unauthorized)
            #expect(try ErrorBody.decode(bad).error.code == "invalid_key")

            let wrongScope = try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.read), body: ByteBuffer(bytes: bytes))
            #expect(wrongScope.status == .forbidden)
            #expect(try ErrorBody.decode(wrongScope).error.code == "forbidden")

            let admin = try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.admin), body: ByteBuffer(bytes: bytes))
            #expect(admin.status == .ok, "admin implies every scope")

            var apiKeyHeader = server.headers(nil)
            apiKeyHeader[HTTPField.Name("X-API-Key")!] = server.tokens[.classify]!
            let viaHeader = try await client.execute(uri: "/v1/classify", method: .post, headers: apiKeyHeader, body: ByteBuffer(bytes: bytes))
            #expect(viaHeader.status == .ok)

            let metricsWithoutAdmin = try await client.execute(uri: "/metrics", method: .get, headers: server.headers(.read))
            #expect(metricsWithoutAdmin.status == .forbidden)
            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: server.headers(.admin))
            let text = String(buffer: metrics.body)
            #expect(text.contains("lenscale_http_request_duration_seconds"))
            #expect(text.contains("lenscale_batch_size_images"))
            #expect(text.contains("lenscale_errors_total{code=\"forbidden\"}"))
        }
    }

    @Test("a revoked key stops working once the key memory expires")
    func revocation() async throws {
        let server = try await TestServer.open()
        defer { Task { await server.close() } }
        let token = try #require(server.tokens[.read])
        let id = try APIKey.parse(token: token).id
        try await server.runtime.keys.revoke(id: id)
        try await server.application().test(.router) { client in
            let answer = try await client.execute(uri: "/v1/predictions/\(String(repeating: "a", count: 64))", method: .get, headers: server.headers(.read))
            #expect(answer.status == .unauthorized)
        }
        let keys = try await server.runtime.keys.list()
        #expect(keys.first { $0.id == id }?.revokedAt != nil)
        await #expect(throws: APIKeyError.notFound(id: "ffffffffffffffff")) { try await server.runtime.keys.revoke(id: "ffffffffffffffff") }
    }

    @Test("health needs no key; readiness follows the warm-up; the OpenAPI description is served")
    func operations() async throws {
        let server = try await TestServer.open()
        defer { Task { await server.close() } }
        try await server.application().test(.router) { client in
            #expect(try await client.execute(uri: "/healthz", method: .get) { $0.status } == .ok)
            try await client.waitUntilReady()
            #expect(server.runtime.readiness.isReady)
            let spec = try await client.execute(uri: "/openapi.yaml", method: .get)
            #expect(spec.status == .ok)
            let text = String(buffer: spec.body)
            let document = try #require(try Yams.load(yaml: text) as? [String: Any], "openapi.yaml is not valid YAML")
            #expect(document["openapi"] as? String == "3.1.0")
            for path in ["/v1/classify", "/v1/predictions/{sha256}", "/v1/predictions/check", "/v1/batches", "/v1/batches/{id}",
                         "/v1/events", "/v1/events/stream", "/v1/webhooks", "/healthz", "/readyz", "/metrics"] {
                #expect(text.contains("  \(path):"), "openapi.yaml does not describe \(path)")
            }
            let missing = try await client.execute(uri: "/no/such/route", method: .get)
            #expect(missing.status == .notFound)
            #expect(try ErrorBody.decode(missing).error.code == "not_found")
        }
    }

    /// Every hostile input gets a 4xx with a JSON error, and the server goes on serving.
    @Test("bad-input sweep: each case is a 4xx with a JSON body and the server stays up")
    func badInputSweep() async throws {
        let server = try await TestServer.open { $0.limits.maxBodyBytes = 2 * 1024 * 1024 }
        defer { Task { await server.close() } }
        let jpeg = try photoBytes("rocket.jpg")
        let cases: [(name: String, uri: String, contentType: String, body: [UInt8], status: HTTPResponse.Status, code: String)] = [
            ("empty body", "/v1/classify", "image/jpeg", [], .unprocessableContent, "empty"),
            ("text", "/v1/classify", "image/jpeg", BadInputs.text, .unsupportedMediaType, "not_an_image"),
            ("jpeg 2000", "/v1/classify", "image/jpeg", BadInputs.jpeg2000, .unsupportedMediaType, "unsupported_format"),
            ("gif without a frame", "/v1/classify", "image/gif", BadInputs.gif, .unprocessableContent, "corrupt"),
            ("truncated jpeg", "/v1/classify", "image/jpeg", Array(jpeg.prefix(jpeg.count / 3)), .unprocessableContent, "truncated"),
            ("png bomb header", "/v1/classify", "image/png", BadInputs.pngHeader(width: 60_000, height: 60_000), .unprocessableContent, "too_many_pixels"),
            // 33 bytes whose declared size overflows when multiplied: this killed the server once.
            ("png overflowing header", "/v1/classify", "image/png", BadInputs.pngHeader(width: .max, height: .max), .unprocessableContent, "too_many_pixels"),
            ("jpeg bomb header", "/v1/classify", "image/jpeg", BadInputs.jpegHeader(width: 65_000, height: 65_000), .unprocessableContent, "too_many_pixels"),
            ("random bytes", "/v1/classify", "application/octet-stream", BadInputs.randomBytes(count: 4096), .unsupportedMediaType, "not_an_image"),
            ("wrong type", "/v1/classify", "text/plain", jpeg, .unsupportedMediaType, "unsupported_media_type"),
            ("oversized body", "/v1/classify", "image/jpeg", [UInt8](repeating: 0xFF, count: 3 * 1024 * 1024), .contentTooLarge, "too_large"),
            ("multipart without boundary", "/v1/classify", "multipart/form-data", jpeg, .badRequest, "bad_multipart"),
            ("malformed multipart", "/v1/classify", "multipart/form-data; boundary=b",
             Array("--b\r\nno colon here\r\n\r\nx\r\n--b--\r\n".utf8), .badRequest, "bad_multipart"),
            ("truncated multipart", "/v1/classify", "multipart/form-data; boundary=b",
             Array("--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\n\r\n".utf8) + jpeg.prefix(100), .badRequest, "bad_multipart"),
            ("empty multipart", "/v1/classify", "multipart/form-data; boundary=b", Array("--b--\r\n".utf8), .badRequest, "no_image"),
            ("bad boundary", "/v1/classify", "multipart/form-data; boundary=\(String(repeating: "b", count: 71))", jpeg, .badRequest, "bad_multipart"),
            ("1,001 parts", "/v1/classify", "multipart/form-data; boundary=b",
             Array((String(repeating: "--b\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\nx\r\n", count: 1001) + "--b--\r\n").utf8),
             .contentTooLarge, "too_many_parts"),
            ("long part name", "/v1/classify", "multipart/form-data; boundary=b",
             Array("--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"\(String(repeating: "f", count: 256))\"\r\n\r\nx\r\n--b--\r\n".utf8),
             .badRequest, "bad_multipart"),
            ("huge part head", "/v1/classify", "multipart/form-data; boundary=b",
             Array("--b\r\nX-Pad: \(String(repeating: "p", count: 9000))\r\n\r\nx\r\n--b--\r\n".utf8), .badRequest, "bad_multipart"),
            ("multipart without a file", "/v1/classify", "multipart/form-data; boundary=b",
             Array("--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--b--\r\n".utf8), .badRequest, "no_image"),
            ("bad top", "/v1/classify?top=99", "image/jpeg", jpeg, .badRequest, "bad_parameter"),
            ("bad embedding flag", "/v1/classify?embedding=maybe", "image/jpeg", jpeg, .badRequest, "bad_parameter"),
            ("unknown model", "/v1/classify?model=resnet-9000", "image/jpeg", jpeg, .notFound, "unknown_model"),
        ]
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            for item in cases {
                let answer = try await client.execute(uri: item.uri, method: .post, headers: server.headers(.classify, contentType: item.contentType),
                                                      body: ByteBuffer(bytes: item.body))
                #expect(answer.status == item.status, "\(item.name): \(answer.status) \(String(buffer: answer.body))")
                let error = try? ErrorBody.decode(answer)
                #expect(error?.error.code == item.code, "\(item.name): \(String(buffer: answer.body))")
                #expect(error?.error.message.isEmpty == false)
            }
            #expect(try await client.execute(uri: "/healthz", method: .get) { $0.status } == .ok)
            let good = try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.classify), body: ByteBuffer(bytes: jpeg))
            #expect(good.status == .ok, "the server no longer classifies after the sweep")
        }
    }
}
