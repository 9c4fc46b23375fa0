extension Migration {
    /// The append-only event feed; `id` is the offset consumers resume from.
    ///
    /// Appenders take a lock (SQLite's write lock; a transaction-scoped advisory lock in
    /// PostgreSQL) before inserting, so offsets become visible in increasing order and a consumer
    /// resuming after offset N can never later find a smaller offset it skipped.
    static let createEvents = Migration(
        version: 12,
        name: "create_events",
        sqlite: [
            """
            CREATE TABLE events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL,
                subject TEXT,
                data TEXT NOT NULL,
                created_at INTEGER NOT NULL
            ) STRICT
            """,
        ],
        postgres: [
            """
            CREATE TABLE events (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                kind text NOT NULL,
                subject text,
                data text NOT NULL,
                created_at bigint NOT NULL
            )
            """,
        ]
    )
}
