/// One named, numbered schema change, written once per SQL dialect.
///
/// Migrations are plain data so any feature (the catalog today; a job queue or an event feed
/// later) can append its own to the ordered list in `Migrations.all`; the runners in each backend
/// know nothing about the tables. A migration is applied at most once per database, recorded in
/// `schema_migrations`, and never edited after release: its name is checked against the database
/// so an edited or renumbered list is caught instead of silently skipped.
public struct Migration: Sendable, Equatable, Hashable {
    /// Position in the global order; strictly increasing across `Migrations.all`.
    public let version: Int
    public let name: String
    /// Statements for SQLite, run in order.
    public let sqlite: [String]
    /// Statements for PostgreSQL, run in order. One statement per element, because the extended
    /// query protocol PostgresNIO speaks takes a single statement at a time.
    public let postgres: [String]

    public init(version: Int, name: String, sqlite: [String], postgres: [String]) {
        self.version = version
        self.name = name
        self.sqlite = sqlite
        self.postgres = postgres
    }
}
