import PostgresNIO

extension PostgresCatalog {
    /// One transaction for the whole run, serialised across processes by a transaction-scoped
    /// advisory lock (released by COMMIT or ROLLBACK, so a crashed migrator cannot leave it held).
    /// The lock comes before anything else, including creating the schema, because
    /// `CREATE … IF NOT EXISTS` is not safe against a concurrent creator in PostgreSQL.
    public func migrate() async throws(CatalogError) {
        let migrations = self.migrations
        let schema = configuration.schema
        let logger = self.logger
        // Migrations may rewrite big tables and wait for another process's migration: they run
        // under the long deadline, with the server's per-statement and lock limits lifted.
        try await transaction(deadline: configuration.timeouts.long) { connection in
            try await connection.query("SET LOCAL statement_timeout = 0", logger: logger)
            try await connection.query("SET LOCAL lock_timeout = 0", logger: logger)
            let lockName = "lenscale.migrate:" + (schema ?? "")
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(lockName)))", logger: logger)
            if let schema {
                try await Self.createSchemaIfMissing(schema, on: connection, logger: logger)
            }
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL
                )
                """, logger: logger)
            let applied = try await Self.appliedMigrations(on: connection, logger: logger)
            let plan = try MigrationPlan(known: migrations, applied: applied)
            for migration in plan.pending {
                do {
                    for statement in migration.postgres {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                } catch {
                    throw CatalogError.migrationFailed(
                        version: migration.version, name: migration.name,
                        reason: PostgresErrors.describe(error))
                }
                try await connection.query(
                    """
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(migration.version), \(migration.name), \(PostgresTimestamp(CatalogTime.now())))
                    """, logger: logger)
            }
        }
    }

    public func appliedMigrations() async throws(CatalogError) -> [AppliedMigration] {
        let logger = self.logger
        return try await withConnection { connection in try await Self.appliedMigrations(on: connection, logger: logger) }
    }

    /// Empty for a database never migrated, rather than an error, so callers can ask first.
    static func appliedMigrations(on connection: PostgresConnection, logger: Logger) async throws -> [AppliedMigration] {
        let exists = try await fetch("SELECT to_regclass('schema_migrations') IS NOT NULL", on: connection, logger: logger) {
            try $0.decode(Bool.self)
        }
        guard exists.first == true else { return [] }
        return try await fetch(
            "SELECT version, name, applied_at FROM schema_migrations ORDER BY version", on: connection, logger: logger
        ) { row in
            let (version, name, appliedAt) = try row.decode((Int, String, PostgresTimestamp).self)
            return AppliedMigration(version: version, name: name, appliedAt: appliedAt.date)
        }
    }

    /// Creates the configured schema only when it is missing: `CREATE SCHEMA IF NOT EXISTS` would
    /// still demand the CREATE privilege on the database, which a role given a pre-made schema
    /// may lack. SET LOCAL then points this transaction at it, since the connection's startup
    /// search_path named a schema that did not exist yet.
    static func createSchemaIfMissing(_ schema: String, on connection: PostgresConnection, logger: Logger) async throws {
        guard PostgresIdentifier.isValid(schema) else {
            throw CatalogError.invalidLocation(schema, reason: "schema must be a lowercase SQL identifier")
        }
        let exists = try await fetch("SELECT 1 FROM pg_namespace WHERE nspname = \(schema)", on: connection, logger: logger) { _ in true }
        if exists.isEmpty {
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"), logger: logger)
        }
        try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL search_path TO \(schema)"), logger: logger)
    }
}
