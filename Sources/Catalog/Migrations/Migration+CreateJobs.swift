extension Migration {
    /// The durable job queue.
    ///
    /// Times are INTEGER microseconds since 1970 in both backends (PostgreSQL computes them from
    /// its own clock, so leases mean the same on every host). `idempotency_key` is unique among
    /// jobs that still have work ahead of them (queued, running, dead): enqueueing the same work
    /// twice finds the existing job, while a finished job (done, failed) lets the key be queued
    /// again. The partial index on queued jobs is the claim's scan order (priority, then age).
    static let createJobs = Migration(
        version: 10,
        name: "create_jobs",
        sqlite: [
            """
            CREATE TABLE jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL,
                idempotency_key TEXT NOT NULL,
                payload TEXT NOT NULL,
                priority INTEGER NOT NULL,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                max_attempts INTEGER NOT NULL,
                run_after INTEGER NOT NULL,
                lease_owner TEXT,
                lease_until INTEGER,
                last_error TEXT,
                created_at INTEGER NOT NULL,
                finished_at INTEGER,
                CONSTRAINT jobs_state_known CHECK (state IN ('queued', 'running', 'done', 'failed', 'dead')),
                CONSTRAINT jobs_max_attempts_positive CHECK (max_attempts > 0)
            ) STRICT
            """,
            "CREATE UNIQUE INDEX jobs_idempotency_open ON jobs (idempotency_key) WHERE state IN ('queued', 'running', 'dead')",
            "CREATE INDEX jobs_claim ON jobs (priority DESC, id) WHERE state = 'queued'",
            "CREATE INDEX jobs_leases ON jobs (lease_until) WHERE state = 'running'",
            "CREATE INDEX jobs_state ON jobs (state)",
        ],
        postgres: [
            """
            CREATE TABLE jobs (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                kind text NOT NULL,
                idempotency_key text NOT NULL,
                payload text NOT NULL,
                priority integer NOT NULL,
                state text NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                max_attempts integer NOT NULL,
                run_after bigint NOT NULL,
                lease_owner text,
                lease_until bigint,
                last_error text,
                created_at bigint NOT NULL,
                finished_at bigint,
                CONSTRAINT jobs_state_known CHECK (state IN ('queued', 'running', 'done', 'failed', 'dead')),
                CONSTRAINT jobs_max_attempts_positive CHECK (max_attempts > 0)
            )
            """,
            "CREATE UNIQUE INDEX jobs_idempotency_open ON jobs (idempotency_key) WHERE state IN ('queued', 'running', 'dead')",
            "CREATE INDEX jobs_claim ON jobs (priority DESC, id) WHERE state = 'queued'",
            "CREATE INDEX jobs_leases ON jobs (lease_until) WHERE state = 'running'",
            "CREATE INDEX jobs_state ON jobs (state)",
        ]
    )
}
