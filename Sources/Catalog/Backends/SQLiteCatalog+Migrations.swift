import GRDB

extension SQLiteCatalog {
    /// One IMMEDIATE transaction for the whole run: the write lock it takes first is what makes
    /// two processes migrating the same file safe (the second waits, then finds nothing to do),
    /// and a failing migration rolls back every migration of the run.
    public func migrate() async throws(CatalogError) {
        let migrations = self.migrations
        try await write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at INTEGER NOT NULL
                ) STRICT
                """)
            let plan = try MigrationPlan(known: migrations, applied: try Self.appliedMigrations(db))
            for migration in plan.pending {
                do {
                    for statement in migration.sqlite {
                        try db.execute(sql: statement)
                    }
                } catch {
                    throw CatalogError.migrationFailed(
                        version: migration.version, name: migration.name, reason: SQLiteErrors.map(error).description)
                }
                try db.execute(
                    sql: "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    arguments: [migration.version, migration.name, CatalogTime.microseconds(CatalogTime.now())])
            }
        }
    }

    public func appliedMigrations() async throws(CatalogError) -> [AppliedMigration] {
        try await read { db in try Self.appliedMigrations(db) }
    }

    /// Empty for a database never migrated, rather than an error, so callers can ask first.
    static func appliedMigrations(_ db: Database) throws -> [AppliedMigration] {
        guard try db.tableExists("schema_migrations") else { return [] }
        return try Row.fetchAll(db, sql: "SELECT version, name, applied_at FROM schema_migrations ORDER BY version").map { row in
            AppliedMigration(
                version: try row.decode(Int.self, atIndex: 0),
                name: try row.decode(String.self, atIndex: 1),
                appliedAt: CatalogTime.date(microseconds: try row.decode(Int64.self, atIndex: 2)))
        }
    }
}
