import PostgresNIO

extension PostgresCatalog {
    /// Runs `body` on one pooled connection, outside a transaction (each statement autocommits).
    package func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws(CatalogError) -> T {
        guard !isClosed else { throw .closed }
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw PostgresErrors.map(error, url: configuration.description)
        }
    }

    /// Runs `body` in a READ COMMITTED transaction on one pooled connection, committing when it
    /// returns and rolling back when it throws.
    package func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws(CatalogError) -> T {
        guard !isClosed else { throw .closed }
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch {
            throw PostgresErrors.map(error, url: configuration.description)
        }
    }

    /// All rows of one query, decoded by `decode`.
    package func fetch<T: Sendable>(_ query: PostgresQuery, _ decode: (PostgresRow) throws -> T) async throws(CatalogError) -> [T] {
        try await withConnection { connection in
            try await Self.fetch(query, on: connection, logger: self.logger, decode)
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
