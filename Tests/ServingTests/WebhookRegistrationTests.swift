import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Serving
import Testing
import TestSupport

/// `POST /v1/webhooks` refuses receivers inside the network unless the operator allows them.
@Suite("webhook registration refuses internal targets with 400", .serialized)
struct WebhookRegistrationTests {
    static let refusedURLs = [
        "http://127.0.0.1:5432/", "http://127.1.2.3/", "http://0.0.0.0/", "http://10.0.0.1/", "http://172.16.0.1/", "http://172.31.255.255/",
        "http://192.168.1.1/", "http://100.64.0.1/", "http://169.254.169.254/latest/meta-data/", "http://224.0.0.1/", "http://[::1]/",
        "http://[::]/", "http://[fe80::1]/", "http://[fc00::1]/", "http://[fd00::1]/", "http://[ff02::1]/", "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:169.254.169.254]/", "http://[::ffff:10.0.0.1]/", "http://localhost:8080/", "http://api.localhost/",
        "http://metadata.google.internal/", "http://intranet/", "https://[::ffff:192.168.0.1]:8443/x",
    ]

    static func register(_ client: some TestClientProtocol, _ server: TestServer, _ url: String) async throws -> TestResponse {
        try await client.execute(uri: "/v1/webhooks", method: .post, headers: server.headers(.admin, contentType: "application/json"),
                                 body: ByteBuffer(string: "{\"url\": \"\(url)\", \"secret\": \"whsec_0123456789abcdef\"}"))
    }

    @Test("by default every refused range answers 400 bad_webhook, saying how to allow one")
    func refusedAtRegistration() async throws {
        let server = try await TestServer.open()
        let app = try await server.applicationWithJobs()
        try await app.test(.router) { client in
            for url in Self.refusedURLs {
                let response = try await Self.register(client, server, url)
                #expect(response.status == .badRequest, "\(url): \(response.status)")
                let error = try? ErrorBody.decode(response)
                #expect(error?.error.code == "bad_webhook", "\(url)")
            }
            #expect(try ErrorBody.decode(try await Self.register(client, server, "http://127.0.0.1:5432/")).error.message.contains("webhooks.allow_cidrs"))
        }
        await server.close()
    }

    @Test("an allow-listed range is accepted, and only that range")
    func allowListed() async throws {
        let server = try await TestServer.open { $0.webhooks.allowCIDRs = ["127.0.0.1/32"] }
        let app = try await server.applicationWithJobs()
        try await app.test(.router) { client in
            let allowed = try await Self.register(client, server, "http://127.0.0.1:9/hook")
            #expect(allowed.status == .created, "the allow-listed 127.0.0.1/32 was refused: \(String(buffer: allowed.body))")
            for url in ["http://127.0.0.2/", "http://10.0.0.1/", "http://169.254.169.254/", "http://[::1]/"] {
                #expect(try await Self.register(client, server, url).status == .badRequest, "\(url)")
            }
        }
        await server.close()
    }

    @Test("webhooks.allow_cidrs is read and checked")
    func configuration() throws {
        let configuration = try ServeConfiguration.parse(yaml: "webhooks: {allow_cidrs: [10.20.0.0/16, 'fd00::/8']}\n")
        #expect(configuration.webhooks.allowCIDRs == ["10.20.0.0/16", "fd00::/8"])
        #expect(ServeConfiguration().webhooks.allowCIDRs.isEmpty, "the allow-list is off by default")
        #expect(throws: ConfigurationError.self) { try ServeConfiguration.parse(yaml: "webhooks: {allow_cidrs: [10.0.0.0/40]}\n") }
    }
}
