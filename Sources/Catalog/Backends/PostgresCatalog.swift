import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The scale-out catalog: PostgreSQL through a PostgresNIO `PostgresClient` connection pool.
///
/// How the pool runs: `PostgresClient` does its work in `run()`, which must keep running for as
/// long as queries are made. `withPool` runs it as a child task of the caller's scope and hands
/// the catalog to `body`; when `body` returns or throws, the catalog refuses further queries
/// (`CatalogError.closed`), the child is cancelled and the scope waits until every connection is
/// closed. So the pool is structured like any other work: it cannot outlive its user, and no
/// task is started behind the caller's back.
///
/// `withPool` first opens one throwaway connection, because the pool retries a dead server for a
/// minute before failing a query; the probe turns "PostgreSQL is not running" into an immediate
/// `CatalogError.unreachable` with the server's or the socket's reason.
public final class PostgresCatalog: Catalog {
    public let configuration: Configuration
    let migrations: [Migration]
    package let client: PostgresClient
    package let logger: Logger
    /// Set when the scope ends (or by `close()`), so later calls fail with `.closed` instead of
    /// the pool's internal error. An atomic rather than an actor: it is one flag read on every
    /// query, never waited on.
    private let closed = Atomic<Bool>(false)

    /// Connects, runs the pool for the duration of `body`, and stops it afterwards. Does not
    /// migrate; `withCatalog` does both.
    public static func withPool<T>(
        _ configuration: Configuration, migrations: [Migration] = Migrations.all,
        logger: Logger = Logger(label: "lenscale.catalog"),
        _ body: (PostgresCatalog) async throws -> T
    ) async throws -> T {
        try await PostgresConnector.probe(configuration, logger: logger)
        let client = PostgresClient(
            configuration: try PostgresConnector.clientConfiguration(configuration), backgroundLogger: logger)
        let catalog = PostgresCatalog(configuration: configuration, migrations: migrations, client: client, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { await client.run() }
            defer {
                catalog.closed.store(true, ordering: .releasing)
                group.cancelAll()
            }
            return try await body(catalog)
        }
    }

    private init(configuration: Configuration, migrations: [Migration], client: PostgresClient, logger: Logger) {
        self.configuration = configuration
        self.migrations = migrations
        self.client = client
        self.logger = logger
    }

    package var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Refuses further queries; the pool itself stops when `withPool`'s scope ends.
    public func close() async throws(CatalogError) {
        closed.store(true, ordering: .releasing)
    }
}
