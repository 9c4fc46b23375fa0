import Clocks
import Foundation
@testable import Storage
import Testing
import TestSupport

/// Failure handling against `ScriptedHTTPServer`, timed on a `ManualClock`: every timeout,
/// backoff and deadline fires when the test advances the clock, never because the machine was
/// slow, so what is asserted is what was sent and answered.
@Suite struct S3StoreRetryTests {
    static let retry = RetryPolicy(maxAttempts: 3, baseDelay: .seconds(1), maxDelay: .seconds(4))
    /// Longer than any backoff of `retry`, so `backoffs` never fires an attempt's timer.
    static let timeout = Duration.seconds(30)

    static func store(_ server: ScriptedHTTPServer, clock: ManualClock, retry: RetryPolicy = retry) throws -> S3Store {
        S3Store(configuration: try S3Configuration(
            bucket: "bucket", endpoint: server.endpoint, credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"),
            requestTimeout: timeout, deadline: .seconds(3600), retryPolicy: retry), httpClient: TestHTTP.s3, clock: clock)
    }

    /// Runs `operation` against `server`, firing backoffs and, once their request arrived, timers.
    static func withBackoffsFired<T: Sendable>(_ clock: ManualClock, _ server: ScriptedHTTPServer,
                                               _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await whileDriving(clock, server: server, maxBackoff: retry.maxDelay, operation)
    }

    @Test func serviceUnavailableTwiceThenSuccess() async throws {
        let server = try ScriptedHTTPServer(script: [
            .respond(status: 503, body: "<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>"),
            .respond(status: 503),
            .respond(status: 200, body: "hello"),
        ])
        defer { server.stop() }
        let clock = ManualClock()
        let store = try Self.store(server, clock: clock)
        #expect(try await Self.withBackoffsFired(clock, server) { try await store.get("k") } == Array("hello".utf8))
        #expect(server.received.count == 3)
        // Two backoffs passed, each within the policy's bounds; no attempt timed out.
        #expect(clock.now.offset >= .milliseconds(500 + 1000) && clock.now.offset <= .seconds(1 + 2))
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
        let clock = ManualClock()
        let store = try Self.store(server, clock: clock)
        #expect(try await Self.withBackoffsFired(clock, server) { try await store.put(bytes, key: "obj") } == .stored)
        let puts = server.received.filter { $0.method == "PUT" }
        #expect(puts.count == 2)
        #expect(puts.allSatisfy { $0.bodyLength == 100_000 && $0.headers["x-amz-content-sha256"] == ObjectKey.contentKey(for: bytes) })
        #expect(puts.allSatisfy { $0.headers["if-none-match"] == "*" })
    }

    @Test func givesUpAfterMaxAttemptsWithTheLastAnswer() async throws {
        let server = try ScriptedHTTPServer(script: [.respond(status: 429, body: "<Error><Code>SlowDown</Code><Message>m</Message></Error>")])
        defer { server.stop() }
        let clock = ManualClock()
        let store = try Self.store(server, clock: clock)
        await #expect(throws: StorageError.http(status: 429, code: "SlowDown", message: "m")) {
            try await Self.withBackoffsFired(clock, server) { try await store.get("k") }
        }
        #expect(server.received.count == 3)
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let server = try ScriptedHTTPServer(script: [.respond(status: 403, body: "<Error><Code>AccessDenied</Code></Error>")])
        defer { server.stop() }
        let clock = ManualClock()
        let store = try Self.store(server, clock: clock)
        await #expect(throws: StorageError.http(status: 403, code: "AccessDenied", message: nil)) {
            try await Self.withBackoffsFired(clock, server) { try await store.get("k") }
        }
        #expect(server.received.count == 1)
        #expect(clock.now.offset == .zero, "a 403 was retried after a backoff")
    }

    /// Each attempt's timer is fired only once the server holds that attempt's request, so a
    /// slow machine cannot time an attempt out before it was sent.
    @Test func silentServerTimesOutOnEveryAttempt() async throws {
        let server = try ScriptedHTTPServer(script: [.hang])
        defer { server.stop() }
        let clock = ManualClock()
        let store = try Self.store(server, clock: clock)
        let task = Task { try await store.get("k") }
        for attempt in 1...3 {
            try await poll("attempt \(attempt) to reach the server") { server.received.count == attempt }
            try await poll("attempt \(attempt)'s timer") { clock.pendingDeadlines.contains { clock.now.duration(to: $0) == Self.timeout } }
            clock.advance(by: Self.timeout)
            if attempt < 3 {
                try await poll("the backoff after attempt \(attempt)") { !clock.pendingDeadlines.isEmpty }
                clock.advanceToNextDeadline()
            }
        }
        await #expect(throws: StorageError.timeout(operation: "GET k", seconds: 30)) { try await task.value }
        #expect(server.received.count == 3)
    }

    @Test func timeoutThenSuccess() async throws {
        let server = try ScriptedHTTPServer(script: [.hang, .respond(status: 200, body: "late")])
        defer { server.stop() }
        let clock = ManualClock()
        let store = try Self.store(server, clock: clock)
        let task = Task { try await store.get("k") }
        try await poll("the first attempt to reach the server") { server.received.count == 1 }
        try await poll("the first attempt's timer") { !clock.pendingDeadlines.isEmpty }
        clock.advance(by: Self.timeout)
        try await poll("the backoff") { !clock.pendingDeadlines.isEmpty }
        clock.advanceToNextDeadline()
        #expect(try await task.value == Array("late".utf8))
        #expect(server.received.count == 2)
    }

    /// Refused at once on each of the three attempts, not re-dialled until a connect timeout:
    /// the attempts' timers never fire (they are never advanced), so only a refusal ends them.
    @Test func refusedConnectionIsATransportErrorAfterRetries() async throws {
        let server = try ScriptedHTTPServer(script: [.respond(status: 200)])
        server.stop()  // the port is now closed
        let clock = ManualClock()
        let store = try Self.store(server, clock: clock)
        await #expect {
            try await Self.withBackoffsFired(clock, server) { try await store.head("k") }
        } throws: { error in
            guard case .transport(let operation, _) = error as? StorageError else { return false }
            return operation == "HEAD k"
        }
        #expect(server.received.isEmpty)
        // Two backoffs and no attempt timeout passed on the store's clock.
        #expect(clock.now.offset < Self.timeout)
    }

    /// The deadline bounds the operation, every retry included, on the store's clock.
    @Test func deadlineEndsTheRetries() async throws {
        let server = try ScriptedHTTPServer(script: [.respond(status: 503)])
        defer { server.stop() }
        let clock = ManualClock()
        let store = S3Store(configuration: try S3Configuration(
            bucket: "bucket", endpoint: server.endpoint, credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"),
            requestTimeout: Self.timeout, deadline: .seconds(10),
            retryPolicy: RetryPolicy(maxAttempts: 100, baseDelay: .seconds(1), maxDelay: .seconds(4))), httpClient: TestHTTP.s3, clock: clock)
        await #expect(throws: StorageError.http(status: 503, code: nil, message: nil)) {
            try await Self.withBackoffsFired(clock, server) { try await store.get("k") }
        }
        // 10 s of backoffs of 0.5 to 4 s each: more than 2 attempts, far fewer than 100.
        #expect((3...21).contains(server.received.count), "\(server.received.count) attempts")
        #expect(clock.now.offset <= .seconds(10))
    }

    @Test func concurrentWriterWinningTheRaceIsAlreadyPresent() async throws {
        let server = try ScriptedHTTPServer(script: [.respond(status: 404), .respond(status: 412)])
        defer { server.stop() }
        #expect(try await Self.store(server, clock: ManualClock()).put([1], key: "k") == .alreadyPresent)
        #expect(server.received.map(\.method) == ["HEAD", "PUT"])
    }

    @Test func cancellationStopsRetrying() async throws {
        let server = try ScriptedHTTPServer(script: [.respond(status: 503)])
        defer { server.stop() }
        let clock = ManualClock()
        let store = try Self.store(server, clock: clock, retry: RetryPolicy(maxAttempts: 50, baseDelay: .milliseconds(200), maxDelay: .seconds(1)))
        let task = Task { try await store.get("k") }
        // Cancelled while it waits out its first backoff, which is never advanced.
        try await poll("the first answer") { server.received.count == 1 }
        try await poll("the backoff after it") { clock.pendingDeadlines.count == 1 && clock.pendingDeadlines[0] != clock.now.advanced(by: Self.timeout) }
        task.cancel()
        await #expect(throws: StorageError.cancelled) { try await task.value }
        #expect(server.received.count == 1)
    }
}
