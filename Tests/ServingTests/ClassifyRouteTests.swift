import Foundation
import Hashing
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Serving
import Testing
import TestSupport

@Suite("POST /v1/classify and GET /v1/predictions", .serialized)
struct ClassifyRouteTests {
    @Test("a photo is classified (miss), then served from the cache (hit) with the same answer")
    func missThenHit() async throws {
        let server = try await TestServer.open()
        defer { Task { await server.close() } }
        let photo = try LabelledPhotos.named("chelsea.png")
        let bytes = Array(try Data(contentsOf: photo.url))
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            let first = try await client.execute(uri: "/v1/classify?top=3&embedding=true", method: .post,
                                                 headers: server.headers(.classify, contentType: "image/png"), body: ByteBuffer(bytes: bytes))
            #expect(first.status == .ok)
            let miss = try ClassifyBody.decode(first)
            #expect(miss.cache == "miss")
            #expect(miss.labels.count == 3)
            #expect(photo.acceptable.contains(miss.labels[0].index), "top-1 \(miss.labels[0].name) is not a cat")
            #expect(miss.embedding?.count == 1280)
            #expect(miss.model_version.contains("+pp"))

            let second = try await client.execute(uri: "/v1/classify?top=3", method: .post,
                                                  headers: server.headers(.classify, contentType: "image/png"), body: ByteBuffer(bytes: bytes))
            let hit = try ClassifyBody.decode(second)
            #expect(hit.cache == "hit")
            #expect(hit.sha256 == miss.sha256)
            #expect(hit.labels.map(\.index) == miss.labels.map(\.index))
            #expect(hit.embedding == nil)
        }
    }

    @Test("GET by hash: 404 before, 200 immutable with a strong ETag after, 304 on If-None-Match")
    func predictionByHash() async throws {
        let server = try await TestServer.open()
        defer { Task { await server.close() } }
        let bytes = try photoBytes("coffee.png")
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            let sha256 = ContentHashHex.of(bytes)
            let unknown = try await client.execute(uri: "/v1/predictions/\(sha256)", method: .get, headers: server.headers(.read))
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.cacheControl] == "no-store")
            #expect(try ErrorBody.decode(unknown).error.code == "not_found")

            let classified = try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.classify, contentType: "image/png"),
                                                      body: ByteBuffer(bytes: bytes))
            try #require(classified.status == .ok, "\(classified.status) \(String(buffer: classified.body))")
            let known = try await client.execute(uri: "/v1/predictions/\(sha256)", method: .get, headers: server.headers(.read))
            #expect(known.status == .ok)
            #expect(known.headers[.cacheControl] == "public, max-age=31536000, immutable")
            let etag = try #require(known.headers[.eTag])
            #expect(etag.hasPrefix("\"") && !etag.hasPrefix("W/"))
            let body = try JSONSerialization.jsonObject(with: Data(buffer: known.body)) as? [String: Any]
            #expect(body?["sha256"] as? String == sha256)
            #expect((body?["labels"] as? [Any])?.isEmpty == false)

            var conditional = server.headers(.read)
            conditional[.ifNoneMatch] = etag
            let notModified = try await client.execute(uri: "/v1/predictions/\(sha256)", method: .get, headers: conditional)
            #expect(notModified.status == .notModified)
            #expect(notModified.body.readableBytes == 0)

            let badHash = try await client.execute(uri: "/v1/predictions/not-a-hash", method: .get, headers: server.headers(.read))
            #expect(badHash.status == .badRequest)
            #expect(try ErrorBody.decode(badHash).error.code == "bad_sha256")
        }
    }

    @Test("POST /v1/predictions/check returns the known hashes and lists the unknown")
    func checkHashes() async throws {
        let server = try await TestServer.open()
        defer { Task { await server.close() } }
        let bytes = try photoBytes("rocket.jpg")
        let sha256 = ContentHashHex.of(bytes)
        let unknown = String(repeating: "ab", count: 32)
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            let classified = try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.classify), body: ByteBuffer(bytes: bytes))
            try #require(classified.status == .ok, "\(classified.status) \(String(buffer: classified.body))")
            let body = "{\"sha256\": [\"\(sha256)\", \"\(unknown)\"]}"
            let answer = try await client.execute(uri: "/v1/predictions/check", method: .post,
                                                  headers: server.headers(.read, contentType: "application/json"), body: ByteBuffer(string: body))
            #expect(answer.status == .ok)
            let json = try JSONSerialization.jsonObject(with: Data(buffer: answer.body)) as? [String: Any]
            let known = (json?["known"] as? [[String: Any]])?.compactMap { $0["sha256"] as? String }
            #expect(known == [sha256])
            #expect(json?["unknown"] as? [String] == [unknown])

            let bad = try await client.execute(uri: "/v1/predictions/check", method: .post,
                                               headers: server.headers(.read, contentType: "application/json"), body: ByteBuffer(string: "[1,2"))
            #expect(bad.status == .badRequest)
            #expect(try ErrorBody.decode(bad).error.code == "bad_json")
        }
    }

    @Test("multipart uploads are classified like raw bodies")
    func multipart() async throws {
        let server = try await TestServer.open()
        defer { Task { await server.close() } }
        let bytes = try photoBytes("chelsea.png")
        let boundary = "lenscale-test-boundary"
        var form = ByteBuffer(string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"cat.png\"\r\nContent-Type: image/png\r\n\r\n")
        form.writeBytes(bytes)
        form.writeString("\r\n--\(boundary)--\r\n")
        let body = form
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            let answer = try await client.execute(uri: "/v1/classify", method: .post,
                                                  headers: server.headers(.classify, contentType: "multipart/form-data; boundary=\(boundary)"), body: body)
            #expect(answer.status == .ok)
            #expect(try ClassifyBody.decode(answer).sha256 == ContentHashHex.of(bytes))
        }
    }

    @Test("over a real connection, the hash taken chunk by chunk is the whole body's, raw and multipart")
    func hashedAsItArrives() async throws {
        // 1.8 MB: many socket reads, and several of the reader's yields.
        let bytes = try photoBytes("picosdeeuropa_by_Aitzol_Berasategi.jpg")
        #expect(bytes.count > 4 * 256 * 1024)
        let boundary = "lenscale-test-boundary"
        var form = ByteBuffer(string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"peaks.jpg\"\r\n\r\n")
        form.writeBytes(bytes)
        form.writeString("\r\n--\(boundary)--\r\n")
        // A miss closes its connection (see PredictionRoutes.classify): one live server each.
        for (contentType, body) in [("image/jpeg", ByteBuffer(bytes: bytes)), ("multipart/form-data; boundary=\(boundary)", form)] {
            let server = try await TestServer.open()
            defer { Task { await server.close() } }
            try await server.application().test(.live) { client in
                try await client.waitUntilReady()
                let answer = try await client.execute(uri: "/v1/classify", method: .post,
                                                      headers: server.headers(.classify, contentType: contentType), body: body)
                #expect(answer.status == .ok, "\(contentType)")
                #expect(try ClassifyBody.decode(answer).sha256 == ContentHashHex.of(bytes), "\(contentType)")
            }
        }
    }

    @Test("a restarted server hits through the catalog (tier 2) without recomputing")
    func restartPersistence() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bytes = try photoBytes("grace_hopper.jpg")
        let first = try await TestServer.open(directory: directory)
        try await first.application().test(.router) { client in
            try await client.waitUntilReady()
            let answer = try await client.execute(uri: "/v1/classify", method: .post, headers: first.headers(.classify), body: ByteBuffer(bytes: bytes))
            #expect(try ClassifyBody.decode(answer).cache == "miss")
        }
        await first.runtime.service.writeBehind.flush()
        await first.close(removing: false)

        let second = try await TestServer.open(directory: directory)
        try await second.application().test(.router) { client in
            try await client.waitUntilReady()
            let answer = try await client.execute(uri: "/v1/classify", method: .post, headers: second.headers(.classify), body: ByteBuffer(bytes: bytes))
            #expect(try ClassifyBody.decode(answer).cache == "hit")
            let byHash = try await client.execute(uri: "/v1/predictions/\(ContentHashHex.of(bytes))", method: .get, headers: second.headers(.read))
            #expect(byHash.status == .ok)
        }
        let batches = await second.runtime.service.endpoints["efficientnet-lite0"]!.batcher.recentBatchSizes
        #expect(batches.isEmpty, "the restarted server ran the model for a cached image: \(batches)")
        await second.close(removing: false)
    }
}

/// SHA-256 hex of bytes, as the server names them.
enum ContentHashHex {
    static func of(_ bytes: [UInt8]) -> String { ContentHash(of: bytes).hex }
}
