import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The scale-out catalog: PostgreSQL through a PostgresNIO `PostgresClient` connection pool.
///
/// How the pool runs: `PostgresClient` does its work in `run()`, which must stay running for as
/// long as queries are made. `connect(...)` starts that as one task owned by the catalog, and
/// `close()` cancels it and waits until every connection is closed. This keeps the catalog a
/// plain value callers open, use from any task and close, exactly like `SQLiteCatalog`, instead
/// of asking every caller to thread a task group through its code. The task is the only
/// unstructured one, it is always joined by `close()`, and `deinit` cancels it as a backstop.
///
/// The task is started with `Task.immediate` where available, so the client has registered as
/// running before `connect` returns; otherwise the first queries race it and PostgresNIO logs a
/// spurious "run() hasn't been called yet" warning.
///
/// `connect` first opens one throwaway connection, because the pool retries a dead server for a
/// minute before failing a query; the probe turns "PostgreSQL is not running" into an immediate
/// `CatalogError.unreachable` with the server's or the socket's reason.
public final class PostgresCatalog: Catalog {
    public let configuration: Configuration
    let migrations: [Migration]
    package let client: PostgresClient
    package let logger: Logger
    private let runTask: Task<Void, Never>
    /// Set by `close()`, so later calls fail with `.closed` instead of the pool's internal error.
    /// An atomic rather than an actor: it is one flag read on every query, never waited on.
    private let closed = Atomic<Bool>(false)

    /// Connects and starts the pool. Does not migrate; `openCatalog` does both.
    public static func connect(
        _ configuration: Configuration, migrations: [Migration] = Migrations.all,
        logger: Logger = Logger(label: "lenscale.catalog")
    ) async throws(CatalogError) -> PostgresCatalog {
        try await PostgresConnector.probe(configuration, logger: logger)
        let client = PostgresClient(
            configuration: try PostgresConnector.clientConfiguration(configuration), backgroundLogger: logger)
        return PostgresCatalog(configuration: configuration, migrations: migrations, client: client, logger: logger)
    }

    private init(configuration: Configuration, migrations: [Migration], client: PostgresClient, logger: Logger) {
        self.configuration = configuration
        self.migrations = migrations
        self.client = client
        self.logger = logger
        if #available(macOS 26, iOS 26, tvOS 26, watchOS 26, *) {
            runTask = Task.immediate { await client.run() }
        } else {
            runTask = Task { await client.run() }
        }
    }

    package var isClosed: Bool { closed.load(ordering: .acquiring) }

    deinit {
        runTask.cancel()
    }

    public func close() async throws(CatalogError) {
        closed.store(true, ordering: .releasing)
        runTask.cancel()
        await runTask.value
    }
}
