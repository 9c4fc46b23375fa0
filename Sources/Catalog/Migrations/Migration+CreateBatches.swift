extension Migration {
    /// Batches of uploads and their items.
    ///
    /// An item points at the job doing its work; two items with the same bytes (in one batch or
    /// in two) share one job, so finishing the job settles every item waiting on it. Items that
    /// failed validation have no job and are born `failed`. `completed_at` is set once, by the
    /// transaction that settles the last open item, which is also the one that appends
    /// `batch.completed`.
    static let createBatches = Migration(
        version: 11,
        name: "create_batches",
        sqlite: [
            """
            CREATE TABLE batches (
                id TEXT PRIMARY KEY,
                model TEXT NOT NULL,
                model_version TEXT NOT NULL,
                priority INTEGER NOT NULL,
                item_count INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                completed_at INTEGER
            ) STRICT, WITHOUT ROWID
            """,
            """
            CREATE TABLE batch_items (
                batch_id TEXT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
                item_index INTEGER NOT NULL,
                name TEXT NOT NULL,
                sha256 TEXT,
                state TEXT NOT NULL,
                reason TEXT,
                job_id INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
                PRIMARY KEY (batch_id, item_index),
                CONSTRAINT batch_items_state_known CHECK (state IN ('queued', 'running', 'done', 'failed'))
            ) STRICT, WITHOUT ROWID
            """,
            "CREATE INDEX batch_items_job ON batch_items (job_id) WHERE job_id IS NOT NULL",
        ],
        postgres: [
            """
            CREATE TABLE batches (
                id text PRIMARY KEY,
                model text NOT NULL,
                model_version text NOT NULL,
                priority integer NOT NULL,
                item_count integer NOT NULL,
                created_at bigint NOT NULL,
                completed_at bigint
            )
            """,
            """
            CREATE TABLE batch_items (
                batch_id text NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
                item_index integer NOT NULL,
                name text NOT NULL,
                sha256 text,
                state text NOT NULL,
                reason text,
                job_id bigint REFERENCES jobs (id) ON DELETE SET NULL,
                PRIMARY KEY (batch_id, item_index),
                CONSTRAINT batch_items_state_known CHECK (state IN ('queued', 'running', 'done', 'failed'))
            )
            """,
            "CREATE INDEX batch_items_job ON batch_items (job_id) WHERE job_id IS NOT NULL",
        ]
    )
}
