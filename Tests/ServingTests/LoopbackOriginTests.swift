import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Serving
import Testing
import TestSupport

/// `--insecure-no-auth` serves the developer's own tools, never another web page.
@Suite struct LoopbackOriginTests {
    @Test("loopback names are let in, with or without a port", arguments: [
        "localhost", "LOCALHOST:8080", "127.0.0.1", "127.0.0.1:8080", "127.1.2.3:1", "[::1]", "[::1]:8080",
    ])
    func loopback(host: String) {
        #expect(LoopbackOrigin.refusal(host: host, origin: nil) == nil)
        #expect(LoopbackOrigin.refusal(host: host, origin: "http://\(host)") == nil, "the server's own pages send their Origin")
    }

    @Test("any other Host is refused: a rebound name, a public address, a malformed port", arguments: [
        "evil.example", "evil.example:8080", "127.0.0.1.nip.io", "localhost.evil.example", "10.0.0.1", "[::2]:80",
        "127.0.0.1:99999", "127.0.0.1:", "127.0.0.256", "[::1", "", "\u{FF11}27.0.0.1",
    ])
    func notLoopback(host: String) {
        #expect(LoopbackOrigin.refusal(host: host, origin: nil)?.code == "not_loopback")
    }

    @Test("a request without Host is refused")
    func noHost() {
        #expect(LoopbackOrigin.refusal(host: nil, origin: nil)?.status == .forbidden)
    }

    @Test("another page's Origin is refused, even one on loopback", arguments: [
        "https://evil.example", "null", "http://127.0.0.1:9999", "http://localhost:8080.evil.example",
    ])
    func foreignOrigin(origin: String) {
        #expect(LoopbackOrigin.refusal(host: "localhost:8080", origin: origin)?.code == "cross_origin")
    }

    @Test("over HTTP: the developer is let in from curl and the server's own page, a foreign page gets 403 JSON")
    func overHTTP() async throws {
        let server = try await TestServer.open { $0.auth.insecureNoAuth = true }
        // The test clients address the server as "localhost", as a browser on the machine would.
        try await server.application().test(.router) { client in
            let hash = String(repeating: "a", count: 64)
            let own = try await client.execute(uri: "/v1/predictions/\(hash)", method: .get)
            #expect(own.status == .notFound, "a developer request reaches the route")
            let page = try await client.execute(uri: "/v1/predictions/\(hash)", method: .get, headers: [.origin: "http://localhost"])
            #expect(page.status == .notFound, "the server's own page reaches the route")
            let foreign = try await client.execute(uri: "/v1/predictions/\(hash)", method: .get, headers: [.origin: "https://evil.example"])
            #expect(foreign.status == .forbidden)
            #expect(try ErrorBody.decode(foreign).error.code == "cross_origin")
        }
        await server.close()
    }
}
