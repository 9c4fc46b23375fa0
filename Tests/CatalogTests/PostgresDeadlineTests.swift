@testable import Catalog
import Clocks
import Foundation
import PostgresNIO
import Synchronization
import Testing
import TestSupport

/// Every call to PostgreSQL ends: the client-side deadline fires even when the server never
/// answers, the server-side limits are in force on every connection, and the catalog goes on
/// working after a call was cut off.
@Suite("PostgreSQL deadlines", .serialized)
struct PostgresDeadlineTests {
    func withCatalog(_ parameters: String, _ body: (PostgresCatalog) async throws -> Void) async throws {
        try await TestPostgres.withIsolatedSchema("deadline") { _, url in
            guard case .postgres(let configuration) = try CatalogLocation(parsing: url + "&" + parameters) else {
                Issue.record("the test URL is not PostgreSQL")
                return
            }
            try await PostgresCatalog.withPool(configuration) { try await body($0) }
        }
    }

    @Test("the server-side limits are set on every pooled connection")
    func serverSideLimits() async throws {
        try await withCatalog("statement_timeout=7&lock_timeout=2&idle_in_transaction_timeout=45&keepalive=4") { catalog in
            let settings = try await catalog.fetch(
                "SELECT current_setting('statement_timeout'), current_setting('lock_timeout'), current_setting('idle_in_transaction_session_timeout'), current_setting('tcp_keepalives_idle')"
            ) { try $0.decode((String, String, String, String).self) }
            let row = try #require(settings.first)
            #expect(row.0 == "7s" && row.1 == "2s" && row.2 == "45s", "\(row)")
            // Keep-alives apply to TCP sessions only; a Unix socket reports 0.
            #expect(row.3 == "4" || row.3 == "0", "\(row)")
        }
    }

    @Test("a statement the server never finishes in time fails with timedOut, and the catalog recovers")
    func clientDeadline() async throws {
        try await withCatalog("query_timeout=0.5&statement_timeout=60") { catalog in
            let error = await #expect(throws: CatalogError.self) {
                _ = try await catalog.fetch("SELECT pg_sleep(30)") { _ in true }
            }
            #expect(error == .timedOut(seconds: 0.5))
            #expect(error?.isTransient == true)
            // A generous deadline for the next call: opening a fresh connection on a loaded
            // machine may take longer than the half second the first call had.
            let answer = try await catalog.fetch("SELECT 41 + 1", deadline: .seconds(60)) { try $0.decode(Int.self) }
            #expect(answer == [42], "the next call works on a fresh connection")
        }
    }

    @Test("a call whose deadline passes while it waits for the pool never runs its statement")
    func expiredWhileWaitingForThePool() async throws {
        try await withCatalog("pool_max=1&query_timeout=60") { catalog in
            try await catalog.withConnection { connection in
                try await connection.query("CREATE TABLE late_probe (n int)", logger: catalog.logger)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                let holding = AsyncStream<Void>.makeStream()
                let release = AsyncStream<Void>.makeStream()
                group.addTask {
                    // Holds the pool's only connection until the waiting call has given up.
                    try await catalog.withConnection { _ in
                        holding.continuation.yield()
                        for await _ in release.stream { break }
                    }
                }
                defer { release.continuation.yield() }
                for await _ in holding.stream { break }
                let error = await #expect(throws: CatalogError.self) {
                    try await catalog.withConnection(deadline: .milliseconds(300)) { connection in
                        try await connection.query("INSERT INTO late_probe VALUES (1)", logger: catalog.logger)
                    }
                }
                #expect(error == .timedOut(seconds: 0.3))
                release.continuation.yield()
                try await group.waitForAll()
            }
            let count = try await catalog.fetch("SELECT count(*) FROM late_probe") { try $0.decode(Int.self) }
            #expect(count == [0], "the statement of a call that had already failed ran later")
        }
    }

    @Test("a lock held by a stalled transaction fails other callers after lock_timeout, not never")
    func lockTimeout() async throws {
        try await withCatalog("lock_timeout=0.3&query_timeout=20") { catalog in
            try await withThrowingTaskGroup(of: Void.self) { group in
                let holding = AsyncStream<Void>.makeStream()
                let release = AsyncStream<Void>.makeStream()
                group.addTask {
                    // Holds the lock until told to let go, however slow the machine is.
                    try await catalog.transaction { connection in
                        _ = try await PostgresCatalog.fetch("SELECT pg_advisory_xact_lock(4242)", on: connection, logger: catalog.logger) { _ in true }
                        holding.continuation.yield()
                        for await _ in release.stream { break }
                    }
                }
                defer { release.continuation.yield() }
                for await _ in holding.stream { break }
                let error = await #expect(throws: CatalogError.self) {
                    try await catalog.transaction { connection in
                        _ = try await PostgresCatalog.fetch("SELECT pg_advisory_xact_lock(4242)", on: connection, logger: catalog.logger) { _ in true }
                    }
                }
                #expect(error == .timedOut(seconds: 0))
                release.continuation.yield()
                try await group.waitForAll()
            }
        }
    }

    @Test("a transaction whose body fails is rolled back and reports the body's error only")
    func rollback() async throws {
        try await withCatalog("query_timeout=10") { catalog in
            try await catalog.withConnection { connection in
                try await connection.query("CREATE TABLE deadline_probe (n int)", logger: catalog.logger)
            }
            struct Refused: Error {}
            await #expect(throws: CatalogError.self) {
                try await catalog.transaction { connection in
                    try await connection.query("INSERT INTO deadline_probe VALUES (1)", logger: catalog.logger)
                    throw Refused()
                }
            }
            let count = try await catalog.fetch("SELECT count(*) FROM deadline_probe") { try $0.decode(Int.self) }
            #expect(count == [0])
        }
    }
}

@Suite("Expiring")
struct ExpiringTests {
    /// Work that ignores cancellation and ends only when its connection is closed (`onExpiry`),
    /// like a PostgresNIO query on a dropped connection.
    @Test("the deadline wins over work that ignores cancellation, and onExpiry runs once")
    func deadlineWins() async throws {
        let closed = Closed()
        let clock = ManualClock()
        async let outcome = #expect(throws: Expiring.Expired.self) {
            try await Expiring.run(within: .seconds(30), on: clock, onExpiry: { closed.close() }) {
                await closed.waitUntilClosed()
                return 1
            }
        }
        // Nothing expires before the clock reaches the deadline.
        try await poll("the deadline's timer is waiting", within: .seconds(60)) { !clock.pendingDeadlines.isEmpty }
        clock.advance(by: .seconds(29))
        #expect(closed.count == 0)
        clock.advance(by: .seconds(1))
        _ = await outcome
        #expect(closed.count == 1)
    }

    @Test("the caller's cancellation ends the wait at once")
    func cancellation() async throws {
        let closed = Closed()
        let task = Task {
            try await Expiring.run(within: .seconds(3600), onExpiry: { closed.close() }) {
                await closed.waitUntilClosed()
                return 1
            }
        }
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(closed.count == 1)
    }

    @Test("a result that comes in time is returned and onExpiry never runs")
    func result() async throws {
        let closed = Closed()
        let value = try await Expiring.run(within: .seconds(3600), onExpiry: { closed.close() }) { 7 }
        #expect(value == 7)
        #expect(closed.count == 0)
    }
}

/// A stand-in for a connection: waiters are released only by `close()`.
final class Closed: Sendable {
    private let state = Mutex<(count: Int, waiters: [CheckedContinuation<Void, Never>])>((0, []))

    var count: Int { state.withLock { $0.count } }

    func close() {
        let waiters = state.withLock { state in
            state.count += 1
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func waitUntilClosed() async {
        await withCheckedContinuation { continuation in
            let closed = state.withLock { state in
                if state.count == 0 { state.waiters.append(continuation) }
                return state.count > 0
            }
            if closed { continuation.resume() }
        }
    }
}
