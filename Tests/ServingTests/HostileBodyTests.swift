import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Keys
import NIOCore
import Serving
import Testing
import TestSupport

/// Hostile bodies on both upload routes and both catalog backends: too large, cut short, a form
/// of a thousand parts, one past the part limit, a part whose head or name is too long, and
/// clients that trickle. Each is a success or a 4xx JSON error and the server goes on serving.
@Suite("hostile bodies on /v1/classify and /v1/batches, on SQLite and PostgreSQL", .serialized)
struct HostileBodyTests {
    static let megabyte = 1_048_576

    static func form(_ parts: [(head: String, bytes: [UInt8])], closed: Bool = true) -> ByteBuffer {
        var body = ByteBuffer()
        for part in parts {
            body.writeString("--b\r\n\(part.head)\r\n\r\n")
            body.writeBytes(part.bytes)
            body.writeString("\r\n")
        }
        if closed { body.writeString("--b--\r\n") }
        return body
    }

    static func image(_ name: String) -> String { "Content-Disposition: form-data; name=\"images\"; filename=\"\(name)\"" }

    @Test("too large, truncated, 1,000 parts, one past the part limit, overlong heads: each a success or a 4xx JSON error",
          arguments: TestBackend.allCases)
    func hostileForms(backend: TestBackend) async throws {
        let photo = try photoBytes("rocket.jpg")
        try await TestServer.with(backend, {
            $0.limits.maxBodyBytes = Self.megabyte
            $0.limits.maxBatchBytes = 4 * Self.megabyte
        }) { server in
            let app = try await server.applicationWithJobs()
                let formType = "multipart/form-data; boundary=b"
            let thousand = (0..<1000).map { (Self.image("p\($0).jpg"), Array("not an image \($0)".utf8)) }
            let tooMany = (0..<10_001).map { (Self.image("p\($0).jpg"), [UInt8(ascii: "x")]) }
            let cases: [(name: String, uri: String, contentType: String, body: ByteBuffer, status: HTTPResponse.Status, code: String?)] = [
                ("classify over max_body_bytes", "/v1/classify", "image/jpeg", ByteBuffer(bytes: [UInt8](repeating: 0xFF, count: 2 * Self.megabyte)),
                 .contentTooLarge, "too_large"),
                ("classify form over max_body_bytes", "/v1/classify", formType,
                 Self.form([(Self.image("big.jpg"), [UInt8](repeating: 0xFF, count: 2 * Self.megabyte))]), .contentTooLarge, "too_large"),
                ("batch over max_batch_bytes", "/v1/batches", formType,
                 Self.form((0..<5).map { (Self.image("b\($0).jpg"), [UInt8](repeating: UInt8($0), count: Self.megabyte)) }), .contentTooLarge, "too_large"),
                ("truncated classify form", "/v1/classify", formType, Self.form([(Self.image("a.jpg"), photo)], closed: false), .badRequest, "bad_multipart"),
                ("truncated batch form", "/v1/batches", formType, Self.form([(Self.image("a.jpg"), photo)], closed: false), .badRequest, "bad_multipart"),
                ("a batch of 1,000 parts, none an image", "/v1/batches", formType, Self.form(thousand), .accepted, nil),
                ("a batch of 10,001 parts", "/v1/batches", formType, Self.form(tooMany), .contentTooLarge, "too_many_parts"),
                ("an overlong file name", "/v1/batches", formType, Self.form([(Self.image(String(repeating: "n", count: 300)), photo)]),
                 .badRequest, "bad_multipart"),
                ("an overlong part head", "/v1/batches", formType,
                 Self.form([(Self.image("a.jpg") + "\r\nX-Pad: " + String(repeating: "p", count: 10_000), photo)]), .badRequest, "bad_multipart"),
                ("a text field named images", "/v1/batches", formType,
                 Self.form([("Content-Disposition: form-data; name=\"images\"", photo)]), .badRequest, "not_a_file"),
            ]
            try await app.test(.router) { client in
                try await client.waitUntilReady()
                for item in cases {
                    let scope: Scope = item.uri == "/v1/classify" ? .classify : .ingest
                    let answer = try await client.execute(uri: item.uri, method: .post, headers: server.headers(scope, contentType: item.contentType),
                                                          body: item.body)
                    #expect(answer.status == item.status, "\(item.name): \(answer.status) \(String(buffer: answer.body).prefix(300))")
                    if let code = item.code {
                        #expect((try? ErrorBody.decode(answer))?.error.code == code, "\(item.name): \(String(buffer: answer.body).prefix(300))")
                    } else {
                        let receipt = try JSONDecoder().decode(JobRouteTests.BatchBody.self, from: Data(buffer: answer.body))
                        #expect(receipt.items.count == 1000 && receipt.items.allSatisfy { $0.state == "failed" && $0.error?.isEmpty == false })
                    }
                }
                #expect(server.runtime.bodyBudget.inUse == 0, "bytes still held after every answer")
                let good = try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.classify), body: ByteBuffer(bytes: photo))
                #expect(good.status == .ok, "the server no longer classifies: \(good.status)")
            }
        }
    }
}
