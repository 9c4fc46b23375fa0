import Foundation
@testable import Storage
import Testing

/// Failure handling against `ScriptedHTTPServer`, with short delays so the suite stays fast.
@Suite struct S3StoreRetryTests {
    static let fastRetry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100))

    static func store(_ server: ScriptedHTTPServer, timeout: Duration = .seconds(10), retry: RetryPolicy = fastRetry) throws -> S3Store {
        S3Store(configuration: try S3Configuration(
            bucket: "bucket", endpoint: server.endpoint, credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"),
            requestTimeout: timeout, retryPolicy: retry))
    }

    @Test func serviceUnavailableTwiceThenSuccess() async throws {
        let server = try ScriptedHTTPServer(script: [
            .respond(status: 503, body: "<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>"),
            .respond(status: 503),
            .respond(status: 200, body: "hello"),
        ])
        defer { server.stop() }
        #expect(try await Self.store(server).get("k") == Array("hello".utf8))
        #expect(server.received.count == 3)
        #expect(server.received.allSatisfy { $0.method == "GET" && $0.target == "/bucket/k" })
        // Each attempt is signed afresh.
        #expect(server.received.allSatisfy { $0.headers["authorization"]?.hasPrefix("AWS4-HMAC-SHA256 Credential=a/") == true })
    }

    @Test func putBodyIsResentOnRetry() async throws {
        let server = try ScriptedHTTPServer(script: [
            .respond(status: 404),  // HEAD: absent
            .respond(status: 500),
            .respond(status: 200),
        ])
        defer { server.stop() }
        let bytes = StorageFixtures.bytes(100_000)
        #expect(try await Self.store(server).put(bytes, key: "obj") == .stored)
        let puts = server.received.filter { $0.method == "PUT" }
        #expect(puts.count == 2)
        #expect(puts.allSatisfy { $0.bodyLength == 100_000 && $0.headers["x-amz-content-sha256"] == ObjectKey.contentKey(for: bytes) })
        #expect(puts.allSatisfy { $0.headers["if-none-match"] == "*" })
    }

    @Test func givesUpAfterMaxAttemptsWithTheLastAnswer() async throws {
        let server = try ScriptedHTTPServer(script: [.respond(status: 429, body: "<Error><Code>SlowDown</Code><Message>m</Message></Error>")])
        defer { server.stop() }
        await #expect(throws: StorageError.http(status: 429, code: "SlowDown", message: "m")) {
            try await Self.store(server).get("k")
        }
        #expect(server.received.count == 3)
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let server = try ScriptedHTTPServer(script: [.respond(status: 403, body: "<Error><Code>AccessDenied</Code></Error>")])
        defer { server.stop() }
        await #expect(throws: StorageError.http(status: 403, code: "AccessDenied", message: nil)) {
            try await Self.store(server).get("k")
        }
        #expect(server.received.count == 1)
    }

    @Test func silentServerTimesOutOnEveryAttempt() async throws {
        let server = try ScriptedHTTPServer(script: [.hang])
        defer { server.stop() }
        let clock = ContinuousClock()
        let started = clock.now
        await #expect(throws: StorageError.timeout(operation: "GET k", seconds: 0.3)) {
            try await Self.store(server, timeout: .milliseconds(300)).get("k")
        }
        let elapsed = clock.now - started
        #expect(server.received.count == 3)
        // Three attempts of 300 ms each; the upper bound only proves it gives up (a loaded CI
        // machine can take seconds more, so it is loose: speed belongs in benchmarks).
        #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(300), "took \(elapsed)")
    }

    @Test func timeoutThenSuccess() async throws {
        let server = try ScriptedHTTPServer(script: [.hang, .respond(status: 200, body: "late")])
        defer { server.stop() }
        #expect(try await Self.store(server, timeout: .milliseconds(300)).get("k") == Array("late".utf8))
        #expect(server.received.count == 2)
    }

    @Test func refusedConnectionIsATransportErrorAfterRetries() async throws {
        let server = try ScriptedHTTPServer(script: [.respond(status: 200)])
        server.stop()  // the port is now closed
        try await Task.sleep(for: .milliseconds(50))
        let clock = ContinuousClock()
        let started = clock.now
        await #expect {
            try await Self.store(server).head("k")
        } throws: { error in
            guard case .transport(let operation, _) = error as? StorageError else { return false }
            return operation == "HEAD k"
        }
        // Refused at once on each of the three attempts, not re-dialled until the 10 s connect
        // timeout (30 s for three); loose, because a loaded CI machine can be slow.
        #expect(clock.now - started < .seconds(300), "a refused connection must fail, not hang")
        #expect(server.received.isEmpty)
    }

    @Test func concurrentWriterWinningTheRaceIsAlreadyPresent() async throws {
        let server = try ScriptedHTTPServer(script: [.respond(status: 404), .respond(status: 412)])
        defer { server.stop() }
        #expect(try await Self.store(server).put([1], key: "k") == .alreadyPresent)
        #expect(server.received.map(\.method) == ["HEAD", "PUT"])
    }

    @Test func cancellationStopsRetrying() async throws {
        let server = try ScriptedHTTPServer(script: [.respond(status: 503)])
        defer { server.stop() }
        let store = try Self.store(server, retry: RetryPolicy(maxAttempts: 50, baseDelay: .milliseconds(200), maxDelay: .seconds(1)))
        let task = Task { try await store.get("k") }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        await #expect(throws: StorageError.cancelled) { try await task.value }
        #expect(server.received.count < 10)
    }
}
