import Clocks
import Foundation
import GRDB
import Synchronization

/// The embedded catalog: one SQLite file in WAL mode, opened through a GRDB `DatabasePool`.
///
/// WAL lets readers (search, the web UI) run while ingest writes. Every write is an IMMEDIATE
/// transaction: it takes the file's write lock up front, so two processes writing the same file
/// queue behind the busy timeout instead of failing with SQLITE_BUSY when a read would have to
/// be upgraded to a write. Foreign keys are enforced on every connection (SQLite's default is off).
///
/// A final class with only immutable state: the pool does its own synchronisation, so an actor
/// would only serialise reads that WAL lets run in parallel.
public final class SQLiteCatalog: Catalog {
    public let configuration: Configuration
    let migrations: [Migration]
    package let pool: DatabasePool
    /// Set by `close()`: GRDB's answers after closing range from "connection is closed" to
    /// "out of memory", so the catalog answers `.closed` itself. An atomic rather than an actor:
    /// one flag read on every access, never waited on.
    private let closed = Atomic<Bool>(false)

    package var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Opens (creating when missing) the database file. Does not migrate; `withCatalog` does both.
    ///
    /// Opening blocks the calling thread briefly (it switches the file to WAL mode, waiting out
    /// another process's lock if needed), which is why this is an initialiser and not async.
    public init(configuration: Configuration, migrations: [Migration] = Migrations.all) throws(CatalogError) {
        self.configuration = configuration
        self.migrations = migrations
        let url = URL(fileURLWithPath: configuration.path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .database("cannot create the folder for \(configuration.path): \(error.localizedDescription); choose a writable location")
        }
        var grdb = GRDB.Configuration()
        grdb.foreignKeysEnabled = true
        grdb.busyMode = .timeout(configuration.busyTimeout.seconds)
        grdb.maximumReaderCount = max(1, configuration.maximumReaderCount)
        grdb.label = "lenscale.catalog"
        // GRDB's WAL pool runs `synchronous = NORMAL`, which may lose the last commits on power
        // loss; an acknowledged upload or batch must survive it, so connections commit with
        // FULL (one extra fsync per transaction). GRDB sets NORMAL on the writer after
        // `prepareDatabase`, so the writer is switched once more below, after opening.
        grdb.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        do {
            pool = try DatabasePool(path: configuration.path, configuration: grdb)
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            throw SQLiteErrors.map(error, context: "opening \(configuration.path)")
        }
    }

    public func close() async throws(CatalogError) {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        do {
            try pool.close()
        } catch {
            throw SQLiteErrors.map(error, context: "closing \(configuration.path)")
        }
    }
}
