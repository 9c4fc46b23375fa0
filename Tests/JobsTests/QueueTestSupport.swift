import AsyncHTTPClient
import Catalog
import Foundation
import Jobs
import TestSupport

/// Two queues on one database through separate connection pools (for PostgreSQL, what two
/// processes would have), so claims, wake-ups and event order are tested across "processes".
struct QueuePair {
    let first: any JobQueue
    let second: any JobQueue
    let catalog: any Catalog
    let backend: TestBackend
    /// Both queues' clock: a test advances it to expire a lease or end a backoff.
    let clock: QueueClock
}

enum TestQueues {
    /// Runs `body` on a fresh database of `backend` and cleans it up afterwards.
    static func with<T>(_ backend: TestBackend, backoff: JobBackoff = JobBackoff(base: .seconds(0.05), cap: .seconds(0.2)),
                        _ body: (QueuePair) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite:
            let directory = try TestPaths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("catalog.sqlite").path
            return try await open(path, backend: backend, backoff: backoff, body)
        case .postgres:
            return try await TestPostgres.withIsolatedSchema("jobs") { _, url in
                try await open(url, backend: backend, backoff: backoff, body)
            }
        }
    }

    static func open<T>(_ location: String, backend: TestBackend, backoff: JobBackoff,
                        _ body: (QueuePair) async throws -> T) async throws -> T {
        try await withCatalog(location) { one in
            try await withCatalog(location) { two in
                let clock = QueueClock()
                let pair = QueuePair(first: try makeJobQueue(catalog: one, backoff: backoff, clock: clock),
                                     second: try makeJobQueue(catalog: two, backoff: backoff, clock: clock), catalog: one,
                                     backend: backend, clock: clock)
                return try await withRunning([pair.first.wakeups, pair.second.wakeups]) { try await body(pair) }
            }
        }
    }

    static func job(_ name: String, priority: JobPriority = .backfill, maxAttempts: Int = 5, kind: String = "test.work") -> NewJob {
        NewJob(kind: kind, idempotencyKey: "\(kind):\(name)", payload: "{\"name\":\"\(name)\"}", priority: priority, maxAttempts: maxAttempts)
    }
}

/// The test process's webhook client, configured as the dispatcher's own
/// (`WebhookDispatcher.httpConfiguration`: no redirects).
enum TestWebhookClient {
    static let shared = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: WebhookDispatcher.httpConfiguration)
}
