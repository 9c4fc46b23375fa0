import Catalog
import Clocks
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// The scale-out queue: the catalog's PostgreSQL database, shared by any number of workers and
/// API replicas on any hosts.
///
/// Claims use `FOR UPDATE SKIP LOCKED`, so concurrent claimers take different rows without
/// waiting on each other. Times come from the server's clock (`now()`), so leases mean the same
/// to every host. Wake-ups travel by `NOTIFY` on a channel named after the schema; a listener on
/// a dedicated connection (not the pool) hands them to waiters in this process, and reconnects
/// by itself after the server restarts, waking everyone in case a notification was missed. The
/// listener is a service (`wakeups`) that the process runs in its `ServiceGroup`: `serve` and
/// `lenscale worker` do; commands that only enqueue open no LISTEN connection at all.
public final class PostgresJobQueue: JobQueue {
    let catalog: PostgresCatalog
    let backoff: JobBackoff
    let logger: Logger
    /// The NOTIFY channel: one per schema, so tests and tenants sharing a server stay apart.
    public let channel: String
    /// How long a waiter sleeps when no notification comes: the fallback should NOTIFY be lost.
    public let pollInterval: Duration
    /// The server's clock plus the offset tests advance.
    let clock: QueueClock
    let jobWakeups = Wakeups()
    let eventWakeups = Wakeups()

    public init(catalog: PostgresCatalog, backoff: JobBackoff = JobBackoff(), pollInterval: Duration = .seconds(5), clock: QueueClock = QueueClock()) {
        self.catalog = catalog
        self.backoff = backoff
        self.clock = clock
        self.logger = Logger(label: "lenscale.jobs")
        self.pollInterval = pollInterval
        let channel = "lenscale_" + (catalog.configuration.schema ?? "public")
        self.channel = channel
    }

    public var wakeups: (any Service)? {
        Listener(configuration: catalog.configuration, channel: channel, logger: logger, jobs: jobWakeups, events: eventWakeups)
    }

    /// The LISTEN connection as a service: runs until the process shuts down.
    struct Listener: Service, CustomStringConvertible {
        let configuration: PostgresCatalog.Configuration
        let channel: String
        let logger: Logger
        let jobs: Wakeups
        let events: Wakeups

        var description: String { "job queue listener (\(channel))" }

        func run() async throws {
            await cancelWhenGracefulShutdown {
                await PostgresJobQueue.listen(configuration: configuration, channel: channel, logger: logger, jobs: jobs, events: events)
            }
        }
    }

    /// The server's transaction time in microseconds since 1970, as the tables store times, on
    /// the queue's clock. The offset is an integer, so splicing it into SQL is safe.
    var nowSQL: String { "((extract(epoch from now()) * 1000000)::bigint + \(clock.offsetMicroseconds))" }

    static func micros(_ span: Duration) -> Int64 { span.microseconds }

    func transaction<T: Sendable>(_ body: sending @escaping (PostgresConnection) async throws -> T) async throws(JobQueueError) -> T {
        do throws(CatalogError) { return try await catalog.transaction(body) } catch { throw Self.map(error) }
    }

    func withConnection<T: Sendable>(_ body: sending @escaping (PostgresConnection) async throws -> T) async throws(JobQueueError) -> T {
        do throws(CatalogError) { return try await catalog.withConnection(body) } catch { throw Self.map(error) }
    }

    static func map(_ error: CatalogError) -> JobQueueError { .catalog(error) }

    func fetch<T>(_ query: PostgresQuery, on connection: PostgresConnection, _ decode: (PostgresRow) throws -> T) async throws -> [T] {
        try await PostgresCatalog.fetch(query, on: connection, logger: logger, decode)
    }

    /// Runs a statement to its end. The rows are drained even when there are none to read: for a
    /// SELECT, PostgresNIO reports an error raised while executing (a lock or statement timeout)
    /// only to whoever reads the rows.
    func execute(_ query: PostgresQuery, on connection: PostgresConnection) async throws {
        for try await _ in try await connection.query(query, logger: logger) {}
    }

    /// Sends `payload` ("jobs" or "events") to every listener when the transaction commits.
    func notify(_ payload: String, on connection: PostgresConnection) async throws {
        try await execute("SELECT pg_notify(\(channel), \(payload))", on: connection)
    }

    func now(on connection: PostgresConnection) async throws -> Int64 {
        try await PostgresCatalog.fetch(PostgresQuery(unsafeSQL: "SELECT \(nowSQL)"), on: connection, logger: logger) {
            try $0.decode(Int64.self)
        }.first ?? CatalogTime.microseconds(Date())
    }

    static let jobColumns = """
        id, kind, idempotency_key, payload, priority, state, attempts, max_attempts, run_after, lease_owner, \
        lease_until, last_error, created_at, finished_at
        """

    static func job(_ row: PostgresRow) throws -> Job {
        let cells = row.makeRandomAccess()
        let stateText = try cells["state"].decode(String.self)
        guard let state = JobState(rawValue: stateText) else {
            throw CatalogError.corruptRow(table: "jobs", reason: "unknown state '\(stateText)'")
        }
        return Job(
            id: try cells["id"].decode(Int64.self), kind: try cells["kind"].decode(String.self),
            idempotencyKey: try cells["idempotency_key"].decode(String.self), payload: try cells["payload"].decode(String.self),
            priority: JobPriority(rawValue: try cells["priority"].decode(Int.self)), state: state,
            attempts: try cells["attempts"].decode(Int.self), maxAttempts: try cells["max_attempts"].decode(Int.self),
            runAfter: CatalogTime.date(microseconds: try cells["run_after"].decode(Int64.self)),
            leaseOwner: try cells["lease_owner"].decode(String?.self),
            leaseUntil: try cells["lease_until"].decode(Int64?.self).map(CatalogTime.date(microseconds:)),
            lastError: try cells["last_error"].decode(String?.self),
            createdAt: CatalogTime.date(microseconds: try cells["created_at"].decode(Int64.self)),
            finishedAt: try cells["finished_at"].decode(Int64?.self).map(CatalogTime.date(microseconds:)))
    }
}
