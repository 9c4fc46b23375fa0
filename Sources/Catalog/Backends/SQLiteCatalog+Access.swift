import GRDB

extension SQLiteCatalog {
    /// Runs `body` in an IMMEDIATE transaction (see the type's documentation), committing when it
    /// returns and rolling back when it throws.
    package func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws(CatalogError) -> T {
        guard !isClosed else { throw .closed }
        do {
            return try await pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw CatalogError.database("the write transaction returned no result") }
                return result
            }
        } catch {
            throw SQLiteErrors.map(error)
        }
    }

    /// Runs `body` on a reader connection, in a snapshot that concurrent writes do not disturb.
    package func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws(CatalogError) -> T {
        guard !isClosed else { throw .closed }
        do {
            return try await pool.read(body)
        } catch {
            throw SQLiteErrors.map(error)
        }
    }
}
