import Catalog
import Clocks
import Foundation
import ServiceLifecycle
import GRDB

/// The embedded queue: the catalog's SQLite file, every change in an IMMEDIATE transaction.
///
/// SQLite has one writer at a time, so claiming needs no SKIP LOCKED: the claim's transaction
/// holds the write lock from its first statement, and two claimers (threads or processes) run
/// one after the other. Wake-ups reach waiters in this process at once; other processes sharing
/// the file notice within `pollInterval`.
public final class SQLiteJobQueue: JobQueue {
    let catalog: SQLiteCatalog
    let backoff: JobBackoff
    /// How often waiters look at the table for work or events written by other processes.
    public let pollInterval: Duration
    /// This host's clock plus the offset tests advance.
    let clock: QueueClock
    let jobWakeups = Wakeups()
    let eventWakeups = Wakeups()

    public init(catalog: SQLiteCatalog, backoff: JobBackoff = JobBackoff(), pollInterval: Duration = .milliseconds(250), clock: QueueClock = QueueClock()) {
        self.catalog = catalog
        self.backoff = backoff
        self.pollInterval = pollInterval
        self.clock = clock
    }

    public var wakeups: (any Service)? { nil }

    /// Now in the tables' unit (microseconds since 1970), on the queue's clock.
    func now() -> Int64 { CatalogTime.microseconds(Date()) + clock.offsetMicroseconds }

    static func micros(_ span: Duration) -> Int64 { span.microseconds }

    func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws(JobQueueError) -> T {
        do throws(CatalogError) { return try await catalog.write(body) } catch { throw Self.map(error) }
    }

    func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws(JobQueueError) -> T {
        do throws(CatalogError) { return try await catalog.read(body) } catch { throw Self.map(error) }
    }

    static func map(_ error: CatalogError) -> JobQueueError {
        if case .database(let reason) = error, let range = reason.range(of: "JobQueueError:") {
            return .invalid(String(reason[range.upperBound...]))
        }
        return .catalog(error)
    }

    /// Statement arguments from lists of mixed types, in order.
    static func arguments(_ parts: [any DatabaseValueConvertible]...) -> StatementArguments {
        StatementArguments(parts.flatMap { $0 })
    }

    /// `?, ?, ?` for an IN list.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    static let jobColumns = """
        id, kind, idempotency_key, payload, priority, state, attempts, max_attempts, run_after, lease_owner, \
        lease_until, last_error, created_at, finished_at
        """

    static func job(_ row: Row) throws -> Job {
        guard let state = JobState(rawValue: row["state"]) else {
            throw CatalogError.corruptRow(table: "jobs", reason: "unknown state '\(row["state"] as String)'")
        }
        return Job(
            id: row["id"], kind: row["kind"], idempotencyKey: row["idempotency_key"], payload: row["payload"],
            priority: JobPriority(rawValue: row["priority"]), state: state, attempts: row["attempts"],
            maxAttempts: row["max_attempts"], runAfter: CatalogTime.date(microseconds: row["run_after"]),
            leaseOwner: row["lease_owner"], leaseUntil: (row["lease_until"] as Int64?).map(CatalogTime.date(microseconds:)),
            lastError: row["last_error"], createdAt: CatalogTime.date(microseconds: row["created_at"]),
            finishedAt: (row["finished_at"] as Int64?).map(CatalogTime.date(microseconds:)))
    }
}
