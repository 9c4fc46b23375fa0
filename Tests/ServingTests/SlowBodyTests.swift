import Clocks
import Foundation
import Glibc
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import Serving
import Testing
import TestSupport

/// A client that declares a large body and then sends almost nothing, holding its connection.
final class SlowBodyClient: @unchecked Sendable {
    private let fd: Int32

    /// Connects, sends `head` and the first `sending` bytes of the declared body, and stops.
    /// With `part`, the body begins with that multipart part head, so the bytes are a part's
    /// and the server holds them (bytes it can drop, it gives back at once).
    init(port: Int, head: String, part: String = "", sending: Int) throws {
        guard let fd = connectLoopback(port: port) else { throw TestFailure("cannot connect to 127.0.0.1:\(port)") }
        self.fd = fd
        let bytes = Array(head.utf8) + Array(part.utf8) + [UInt8](repeating: 0x2D, count: sending)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
    }

    /// What the server has answered so far, waiting at most `wait` for something. Polls without
    /// blocking: a blocking `recv` would hold one of the cooperative pool's few threads, which
    /// the server under test needs to answer (on 2 cores, two such waits starve it).
    func received(within wait: Duration = .seconds(1)) async -> String {
        let deadline = ContinuousClock.now + wait
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 { return String(decoding: buffer[..<count], as: UTF8.self) }
            if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) || ContinuousClock.now >= deadline { return "" }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
    }

    func disconnect() { close(fd) }
}

@Suite("slow request bodies", .serialized)
struct SlowBodyTests {
    @Test("two clients that declare big bodies and trickle them cannot make a third client's upload fail", arguments: TestBackend.allCases)
    func slowClientsDoNotStarveOthers(backend: TestBackend) async throws {
        let photo = try photoBytes("picosdeeuropa_by_Aitzol_Berasategi.jpg")
        try #require(photo.count > 1_500_000)
        let megabyte = 1_048_576
        // Room for the two declared batches (30 MiB each) and less than the photo besides: a
        // budget taken from declared lengths would refuse the third upload.
        try await TestServer.with(backend, {
            $0.limits.maxBatchBytes = 30 * megabyte
            $0.limits.maxInFlightBytes = 61 * megabyte
        }) { server in
        let app = try await server.applicationWithJobs()
        try await app.test(.live) { client in
            try await client.waitUntilReady()
            let port = try #require(client.port)
            let token = try #require(server.tokens[.ingest])
            let head = "POST /v1/batches HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(token)\r\n"
                + "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: \(30 * megabyte)\r\n\r\n"
            let part = "--x\r\nContent-Disposition: form-data; name=\"images\"; filename=\"big.png\"\r\n\r\n"
            let slow = try (0..<2).map { _ in try SlowBodyClient(port: port, head: head, part: part, sending: 1000) }
            defer { slow.forEach { $0.disconnect() } }
            // Both slow bodies have reached their routes, holding only what they sent.
            do {
                try await poll("the slow bodies to be read", within: .seconds(10)) { server.runtime.bodyBudget.inUse >= 2000 }
            } catch {
                let answered = await slow[0].received()
                Issue.record("\(server.runtime.bodyBudget.inUse) bytes held; the server answered: \(answered)")
                throw error
            }
            #expect(server.runtime.bodyBudget.inUse < megabyte, "the slow clients hold \(server.runtime.bodyBudget.inUse) bytes")
            let response = try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.classify),
                                                    body: ByteBuffer(bytes: photo))
            #expect(response.status == .ok, "\(response.status) \(String(buffer: response.body).prefix(300))")
        }
        }
    }
}

@Suite("the whole-body deadline", .serialized)
struct BodyDeadlineTests {
    @Test("a body still arriving after limits.body_deadline_s on the server's clock is 408 body_too_slow")
    func trickleIsCutOff() async throws {
        let clock = ManualClock()
        let server = try await TestServer.open(clock: clock) { $0.limits.bodyDeadlineSeconds = 60 }
        try await server.application().test(.live) { client in
            try await client.waitUntilReady()
            let port = try #require(client.port)
            let token = try #require(server.tokens[.classify])
            let head = "POST /v1/classify HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(token)\r\n"
                + "Content-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n"
            let slow = try SlowBodyClient(port: port, head: head, sending: 1000)
            defer { slow.disconnect() }
            try await poll("the body to reach the route", within: .seconds(10)) { server.runtime.bodyBudget.inUse >= 1000 }
            // Inside the deadline, more bytes are taken.
            clock.advance(by: .seconds(59))
            slow.send([UInt8](repeating: 0x2D, count: 1000))
            try await poll("the second chunk to be taken", within: .seconds(10)) { server.runtime.bodyBudget.inUse >= 2000 }
            clock.advance(by: .seconds(2))
            slow.send([UInt8](repeating: 0x2D, count: 1000))
            var answer = ""
            for _ in 0..<10 where !answer.contains("\r\n\r\n{") { answer += await slow.received() }
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(300))")
            #expect(answer.contains("body_too_slow"))
            try await poll("the bytes to come back", within: .seconds(10)) { server.runtime.bodyBudget.inUse == 0 }
        }
        await server.close()
    }
}

@Suite("connection cap", .serialized)
struct ConnectionCapTests {
    /// Run as `lenscale serve` runs it, not through HummingbirdTesting: its `.live` mode rebuilds
    /// the listener's configuration and drops the connections delegate, so there the cap is off.
    @Test("with limits.max_connections held by idle sockets, a new connection waits unaccepted, and is served once one closes")
    func capHoldsThenServes() async throws {
        let server = try await TestServer.open { $0.limits.maxConnections = 2 }
        let connections = server.runtime.connections
        let (ports, port) = AsyncStream.makeStream(of: Int.self)
        let app = LenscaleServer.application(server.runtime, onServerRunning: { port.yield($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var running = ports.makeAsyncIterator()
            let port = try #require(await running.next())
            let held = try (0..<2).map { _ in try SlowBodyClient(port: port, head: "", sending: 0) }
            do {
                try await poll("both sockets to be accepted", within: .seconds(10)) { connections.open == 2 }
            } catch {
                Issue.record("open: \(connections.open), peak \(connections.peak)")
                throw error
            }
            // A third one completes its handshake in the kernel's backlog, and asks for /healthz.
            let waiting = try SlowBodyClient(port: port, head: "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", sending: 0)
            defer { waiting.disconnect() }
            // A server without the cap accepts and answers it within milliseconds; give it a second to.
            let early = await waiting.received()
            #expect(early.isEmpty, "answered past the cap: \(early.prefix(100))")
            #expect(connections.peak == 2)
            held[0].disconnect()
            var answer = ""
            for _ in 0..<30 where !answer.contains("\r\n\r\n") { answer += await waiting.received() }
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(200))")
            #expect(connections.peak == 2)
            held[1].disconnect()
            group.cancelAll()
        }
        await server.close()
    }
}
