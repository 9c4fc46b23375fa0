import PostgresNIO
import Synchronization

extension PostgresCatalog {
    /// Runs `body` on one pooled connection, outside a transaction (each statement autocommits),
    /// under the client-side deadline (`timeouts.call`, or `deadline` for work known to run
    /// long). Waiting for a pooled connection counts against the deadline.
    ///
    /// On expiry, or when the calling task is cancelled, the connection is closed, which fails
    /// whatever PostgresNIO still has pending on it, and the call throws at once: `.timedOut` or
    /// `.cancelled`, both safe to retry for idempotent work. The pool replaces the connection.
    package func withConnection<T: Sendable>(
        deadline: Duration? = nil, _ body: sending @escaping (PostgresConnection) async throws -> T
    ) async throws(CatalogError) -> T {
        guard !isClosed else { throw .closed }
        let limit = deadline ?? configuration.timeouts.call
        let leased = LeasedConnection()
        let client = client
        do {
            return try await Expiring.run(within: limit, onExpiry: { leased.close() }) {
                try await client.withConnection { connection in
                    leased.hold(connection)
                    defer { leased.hold(nil) }
                    return try await body(connection)
                }
            }
        } catch let expired as Expiring.Expired {
            logger.warning("a PostgreSQL call passed its deadline; its connection was closed",
                           metadata: ["deadline_s": "\(expired.limit)"])
            throw .timedOut(seconds: Double(expired.limit.milliseconds) / 1000)
        } catch {
            throw PostgresErrors.map(error, url: configuration.description)
        }
    }

    /// Runs `body` in a READ COMMITTED transaction on one pooled connection, under the same
    /// deadline as `withConnection`: COMMIT when it returns, ROLLBACK when it throws.
    ///
    /// Why not PostgresNIO's `withTransaction`: it always sends ROLLBACK or COMMIT on the same
    /// connection, even one the server has just closed, and reports three errors for one cause.
    /// Here a closed connection gets no statement at all (the server rolls back a transaction
    /// whose session ends), and the caller sees the first error only. When COMMIT itself is
    /// lost with its connection the outcome is unknown, as with any database: callers retry
    /// idempotent work and nothing else.
    package func transaction<T: Sendable>(
        deadline: Duration? = nil, _ body: sending @escaping (PostgresConnection) async throws -> T
    ) async throws(CatalogError) -> T {
        let (logger, url) = (logger, configuration.description)
        return try await withConnection(deadline: deadline) { connection in
            try await connection.query("BEGIN", logger: logger)
            let value: T
            do {
                value = try await body(connection)
            } catch {
                if !connection.isClosed { _ = try? await connection.query("ROLLBACK", logger: logger) }
                throw error
            }
            guard !connection.isClosed else { throw CatalogError.unreachable(url: url, reason: "the connection closed before COMMIT") }
            try await connection.query("COMMIT", logger: logger)
            return value
        }
    }

    /// All rows of one query, decoded by `decode`.
    package func fetch<T: Sendable>(
        _ query: PostgresQuery, deadline: Duration? = nil, _ decode: @escaping @Sendable (PostgresRow) throws -> T
    ) async throws(CatalogError) -> [T] {
        let logger = logger
        return try await withConnection(deadline: deadline) { connection in
            try await Self.fetch(query, on: connection, logger: logger, decode)
        }
    }

    package static func fetch<T>(
        _ query: PostgresQuery, on connection: PostgresConnection, logger: Logger, _ decode: (PostgresRow) throws -> T
    ) async throws -> [T] {
        var values: [T] = []
        for try await row in try await connection.query(query, logger: logger) {
            values.append(try decode(row))
        }
        return values
    }
}

/// The connection a call holds, so its deadline can close it from outside the call.
final class LeasedConnection: Sendable {
    private let connection = Mutex<PostgresConnection?>(nil)

    func hold(_ connection: PostgresConnection?) {
        self.connection.withLock { $0 = connection }
    }

    /// Closes the held connection, if any; its pending queries fail and the pool drops it.
    func close() {
        guard let held = connection.withLock({ $0 }) else { return }
        held.close().whenComplete { _ in }
    }
}
