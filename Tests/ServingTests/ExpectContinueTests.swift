import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Serving
import Testing
import TestSupport

/// `Expect: 100-continue`, which curl sends with every upload over 1 KiB (1 MiB from curl 8).
/// Unanswered, each such upload waited a second for curl's own timeout before its body was sent.
@Suite("Expect: 100-continue", .serialized)
struct ExpectContinueTests {
    @Test("an upload that expects 100-continue gets it before sending its body, then its answer")
    func continueThenAnswer() async throws {
        let photo = try photoBytes("picosdeeuropa_by_Aitzol_Berasategi.jpg")
        let server = try await TestServer.open()
        try await server.application().test(.live) { client in
            try await client.waitUntilReady()
            let port = try #require(client.port)
            let token = try #require(server.tokens[.classify])
            let head = "POST /v1/classify HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(token)\r\n"
                + "Content-Type: image/jpeg\r\nContent-Length: \(photo.count)\r\nExpect: 100-continue\r\n\r\n"
            let upload = try SlowBodyClient(port: port, head: head, sending: 0)
            defer { upload.disconnect() }
            // Nothing of the body is sent until the server says so; without the interim answer
            // this waits the whole minute and fails.
            let interim = await upload.received(within: .seconds(60))
            #expect(interim == "HTTP/1.1 100 Continue\r\n\r\n", "\(interim.prefix(200))")
            upload.send(photo)
            var answer = ""
            for _ in 0..<60 where !answer.contains("\"labels\"") { answer += await upload.received() }
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(300))")
        }
        await server.close()
    }

    @Test("a request refused before its body is read is answered without 100-continue, so its body is never sent")
    func refusedWithoutContinue() async throws {
        let server = try await TestServer.open { $0.limits.maxBodyBytes = 1_000_000 }
        let budget = server.runtime.bodyBudget
        try await server.application().test(.live) { client in
            try await client.waitUntilReady()
            let port = try #require(client.port)
            let token = try #require(server.tokens[.classify])
            let cases: [(String, String, String, () -> Void)] = [
                ("a declared length over limits.max_body_bytes", "Authorization: Bearer \(token)\r\nContent-Length: 2000000\r\n", "413", {}),
                ("no key", "Content-Length: 1000\r\n", "401", {}),
                // Other uploads hold all but 1000 bytes of the server's budget.
                ("a declared length the upload budget has no room for", "Authorization: Bearer \(token)\r\nContent-Length: 1001\r\n", "503",
                 { _ = budget.tryAcquire(budget.capacity - budget.inUse - 1000) }),
            ]
            for (what, headers, status, before) in cases {
                before()
                let head = "POST /v1/classify HTTP/1.1\r\nHost: localhost\r\n\(headers)Content-Type: image/jpeg\r\nExpect: 100-continue\r\n\r\n"
                let upload = try SlowBodyClient(port: port, head: head, sending: 0)
                defer { upload.disconnect() }
                var answer = ""
                for _ in 0..<60 where !answer.contains("\r\n\r\n{") { answer += await upload.received() }
                #expect(answer.hasPrefix("HTTP/1.1 \(status)"), "\(what): \(answer.prefix(300))")
                #expect(!answer.contains("100 Continue"), "\(what): \(answer.prefix(300))")
            }
            #expect(budget.inUse == budget.capacity - 1000, "the refused request kept bytes")
        }
        await server.close()
    }
}
