import Foundation
import Glibc
import Hummingbird
import HummingbirdTesting
import Serving
import Testing
import TestSupport

/// Idle connections are closed after `limits.idle_timeout_s`. NIO's idle timer runs on the
/// wall clock (no clock to inject), so the test uses the smallest setting, 1 s.
@Suite("idle connections are closed")
struct IdleConnectionTests {
    /// Connects to 127.0.0.1:`port`, sends `bytes`, and waits (at most `limit` seconds) for the
    /// server to close; the seconds it took and what came back, or nil if it never closed.
    static func secondsUntilClosed(port: Int, sending bytes: [UInt8], limit: Int) async -> (seconds: Double, received: String)? {
        await withCheckedContinuation { (done: CheckedContinuation<(seconds: Double, received: String)?, Never>) in
            Thread.detachNewThread {
                guard let fd = connectLoopback(port: port) else { return done.resume(returning: nil) }
                defer { close(fd) }
                var timeout = timeval(tv_sec: limit, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if !bytes.isEmpty { _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) } }
                let started = Date()
                var buffer = [UInt8](repeating: 0, count: 4096), received: [UInt8] = []
                while true {
                    let count = recv(fd, &buffer, buffer.count, 0)
                    if count == 0 { return done.resume(returning: (Date().timeIntervalSince(started), String(decoding: received, as: UTF8.self))) }
                    if count < 0 { return done.resume(returning: nil) }  // the receive timed out: still open
                    received += buffer[..<count]
                }
            }
        }
    }

    @Test("a silent connection and one stalled mid-headers are both closed after the idle timeout")
    func idleAndStalledConnectionsClose() async throws {
        let server = try await TestServer.open { $0.limits.idleTimeoutSeconds = 1 }
        try await server.application().test(.live) { client in
            // The test client sends nothing: a request of its own would race its connection's
            // idle timeout on a loaded machine. The listener is up when this closure runs, and
            // /healthz needs no model.
            let port = try #require(client.port)
            // The 30 s receive limit only catches a connection that is never closed; how soon
            // after the 1 s timeout the close comes depends on the machine's load.
            let silent = await Self.secondsUntilClosed(port: port, sending: [], limit: 30)
            #expect(silent != nil, "a silent connection stayed open for 30 s")
            let stalled = await Self.secondsUntilClosed(port: port, sending: Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8), limit: 30)
            #expect(stalled != nil, "a connection stalled mid-headers stayed open for 30 s")
            #expect(stalled?.received.isEmpty == true, "a request cut off mid-headers was answered")
            // The server still answers, on a fresh connection (the test client's own has idled out too).
            // A complete request is answered: an idle close would have ended it with no bytes.
            let health = await Self.secondsUntilClosed(port: port, sending: Array("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8), limit: 30)
            #expect(health?.received.hasPrefix("HTTP/1.1 200") == true, "\(health?.received.prefix(100) ?? "no answer")")
        }
        await server.close()
    }

    @Test("idle_timeout_s is read and bounded")
    func configuration() throws {
        #expect(try ServeConfiguration.parse(yaml: "limits: {idle_timeout_s: 5}\n").limits.idleTimeoutSeconds == 5)
        #expect(ServeConfiguration().limits.idleTimeoutSeconds == 60)
        #expect(throws: ConfigurationError.self) { try ServeConfiguration.parse(yaml: "limits: {idle_timeout_s: 0}\n") }
        #expect(throws: ConfigurationError.self) { try ServeConfiguration.parse(yaml: "limits: {idle_timeout_s: 9223372036854775808}\n") }
    }
}
