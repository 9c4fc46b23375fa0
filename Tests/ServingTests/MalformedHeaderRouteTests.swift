import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Serving
import Testing
import TestSupport

/// The malformed-header generator (`MalformedImages`) through every path that takes uploads,
/// on both catalog backends: every answer is a success or a 4xx with the JSON error body, every
/// batch item ends done or failed with a reason, and the server still answers afterwards. A
/// trap anywhere would end this test process.
@Suite("malformed image headers through /v1/classify and both forms of /v1/batches", .serialized)
struct MalformedHeaderRouteTests {
    static func cases() throws -> [MalformedImages.Case] {
        let cases = try MalformedImages.all
        try #require(cases.count >= 400, "the generator made only \(cases.count) cases")
        return cases
    }

    @Test("/v1/classify answers each malformed file with a success or a 4xx JSON error", arguments: TestBackend.allCases)
    func classify(backend: TestBackend) async throws {
        let cases = try Self.cases()
        try await TestServer.with(backend) { server in
            try await server.application().test(.router) { client in
                try await client.waitUntilReady()
                var failures: [String] = []
                var refused = 0
                for item in cases {
                    let response = try await client.execute(uri: "/v1/classify", method: .post,
                                                            headers: server.headers(.classify, contentType: "application/octet-stream"),
                                                            body: ByteBuffer(bytes: item.bytes))
                    if let failure = Self.failure(response) { failures.append("\(item): \(failure)") }
                    if (400..<500).contains(response.status.code) { refused += 1 }
                }
                #expect(failures.isEmpty, "\(failures.count) of \(cases.count):\n\(failures.prefix(40).joined(separator: "\n"))")
                #expect(refused > cases.count / 2, "most malformed files must be refused; \(refused) of \(cases.count) were")
                #expect(try await client.execute(uri: "/healthz", method: .get) { $0.status } == .ok)
            }
        }
    }

    @Test("/v1/batches as multipart and as store keys: accepted or refused with JSON, every item settles", arguments: TestBackend.allCases)
    func batches(backend: TestBackend) async throws {
        let cases = try Self.cases()
        try await TestServer.with(backend) { server in
            let app = try await server.applicationWithJobs()
            try await app.test(.router) { client in
                try await client.waitUntilReady()
                let files = cases.enumerated().map { index, item in ("case-\(index)", item.bytes) }
                let multipart = try await client.execute(
                    uri: "/v1/batches", method: .post,
                    headers: server.headers(.ingest, contentType: "multipart/form-data; boundary=lenscale-batch"),
                    body: JobRouteTests.multipart(files))
                try await Self.settle(multipart, client: client, server: server, count: cases.count, form: "multipart")

                let prefix = "malformed-\(UUID().uuidString)"
                for (index, item) in cases.enumerated() where !item.bytes.isEmpty {
                    _ = try await server.runtime.workspace.store.put(item.bytes, key: "\(prefix)/\(index)")
                }
                let keys = cases.indices.filter { !cases[$0].bytes.isEmpty }.map { "\"\(prefix)/\($0)\"" }
                let byKey = try await client.execute(
                    uri: "/v1/batches", method: .post, headers: server.headers(.ingest, contentType: "application/json"),
                    body: ByteBuffer(string: "{\"keys\": [\(keys.joined(separator: ","))]}"))
                try await Self.settle(byKey, client: client, server: server, count: keys.count, form: "store keys")
                #expect(try await client.execute(uri: "/healthz", method: .get) { $0.status } == .ok)
            }
        }
    }

    /// A submission is 202 and then every item ends done, or failed with a reason; or it is a
    /// 4xx JSON refusal of the whole batch.
    static func settle(_ response: TestResponse, client: some TestClientProtocol, server: TestServer, count: Int, form: String) async throws {
        if let failure = failure(response) { Issue.record("\(form): \(failure)"); return }
        guard response.status == .accepted else { return }
        let id = try JSONDecoder().decode(Accepted.self, from: Data(buffer: response.body)).id
        let batch = try await JobRouteTests.pollBatch(client, id: id, headers: server.headers(.read))
        #expect(batch.items.count == count, "\(form)")
        let unsettled = batch.items.filter { !($0.state == "done" || ($0.state == "failed" && !($0.error ?? "").isEmpty)) }
        #expect(unsettled.isEmpty, "\(form): \(unsettled.prefix(10).map { "\($0.name) \($0.state) \($0.error ?? "")" })")
        #expect(batch.items.contains { $0.state == "failed" }, "\(form): malformed files must fail")
    }

    struct Accepted: Decodable { var id: String }

    /// Nil for a success or a 4xx with the JSON error body; else what was wrong.
    static func failure(_ response: TestResponse) -> String? {
        let code = response.status.code
        if (200..<300).contains(code) { return nil }
        guard (400..<500).contains(code) else { return "\(code) \(String(buffer: response.body).prefix(200))" }
        return (try? ErrorBody.decode(response)) == nil ? "\(code) without the JSON error body" : nil
    }
}
