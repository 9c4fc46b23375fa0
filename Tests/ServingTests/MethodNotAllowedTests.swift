import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Serving
import Testing
import TestSupport

@Suite("methods a path does not take")
struct MethodNotAllowedTests {
    @Test("a known path with another method is 405 with Allow and the JSON error body; an unknown path stays 404", arguments: [
        ("/healthz", HTTPRequest.Method.trace, "GET"), ("/v1/classify", .get, "POST"), ("/v1/batches", .delete, "POST"),
        ("/v1/predictions/\(String(repeating: "a", count: 64))", .post, "GET"), ("/v1/webhooks/abc", .get, "DELETE"),
    ])
    func methodNotAllowed(path: String, method: HTTPRequest.Method, allowed: String) async throws {
        let server = try await TestServer.open()
        let app = try await server.applicationWithJobs()
        try await app.test(.router) { client in
            let response = try await client.execute(uri: path, method: method, headers: server.headers(.admin))
            #expect(response.status == .methodNotAllowed, "\(method) \(path): \(response.status)")
            #expect(response.headers[.allow]?.contains(allowed) == true, "\(response.headers[.allow] ?? "no Allow")")
            if path == "/v1/batches" { #expect(response.headers[.allow] == "POST", "a literal path is its own resource") }
            #expect(try ErrorBody.decode(response).error.code == "method_not_allowed")
            let unknown = try await client.execute(uri: "/v1/nothing-here", method: method, headers: server.headers(.admin))
            #expect(unknown.status == .notFound)
        }
        await server.close()
    }
}
