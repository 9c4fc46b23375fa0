extension Migration {
    /// Moderation's tables (Sources/Moderation): decisions cached per (image, policy, models),
    /// reviewers' overrides per image, the review queue and the audit log.
    ///
    /// No foreign keys to `images`: the online path moderates uploads that are classified but
    /// never ingested, and a blocked image must stay blocked even if its catalog row is deleted.
    /// Times are integer microseconds in both dialects (as `CatalogTime` counts) so the two
    /// backends return identical records. At most one open (pending or claimed) review item per
    /// image, enforced by a partial unique index, so re-uploads and retried jobs never queue an
    /// image twice. JSON documents are text in SQLite and jsonb in PostgreSQL.
    static let createModeration = Migration(
        version: 20,
        name: "create_moderation",
        sqlite: [
            """
            CREATE TABLE moderation_decisions (
                sha256 TEXT NOT NULL,
                policy_version TEXT NOT NULL,
                model_key TEXT NOT NULL,
                outcome TEXT NOT NULL,
                stage TEXT NOT NULL,
                decision TEXT NOT NULL,
                decided_at INTEGER NOT NULL,
                PRIMARY KEY (sha256, policy_version, model_key),
                CONSTRAINT moderation_decisions_outcome CHECK (outcome IN ('allow', 'uncertain', 'review', 'block')),
                CONSTRAINT moderation_decisions_json CHECK (json_valid(decision))
            ) STRICT, WITHOUT ROWID
            """,
            """
            CREATE TABLE moderation_overrides (
                sha256 TEXT PRIMARY KEY,
                outcome TEXT NOT NULL,
                review_item INTEGER NOT NULL,
                decision TEXT NOT NULL,
                decided_at INTEGER NOT NULL,
                CONSTRAINT moderation_overrides_outcome CHECK (outcome IN ('allow', 'block')),
                CONSTRAINT moderation_overrides_json CHECK (json_valid(decision))
            ) STRICT, WITHOUT ROWID
            """,
            """
            CREATE TABLE review_items (
                id INTEGER PRIMARY KEY,
                sha256 TEXT NOT NULL,
                category TEXT NOT NULL,
                reason TEXT NOT NULL,
                decision TEXT NOT NULL,
                policy_version TEXT NOT NULL,
                state TEXT NOT NULL,
                claimed_by TEXT,
                lease_until INTEGER,
                reviewer TEXT,
                verdict_reason TEXT,
                decided_at INTEGER,
                created_at INTEGER NOT NULL,
                CONSTRAINT review_items_state CHECK (state IN ('pending', 'claimed', 'approved', 'rejected')),
                CONSTRAINT review_items_reason CHECK (reason IN ('flagged', 'sampled')),
                CONSTRAINT review_items_json CHECK (json_valid(decision))
            ) STRICT
            """,
            "CREATE UNIQUE INDEX review_items_open ON review_items (sha256) WHERE state IN ('pending', 'claimed')",
            "CREATE INDEX review_items_queue ON review_items (state, category, id)",
            "CREATE INDEX review_items_image ON review_items (sha256, id)",
            """
            CREATE TABLE moderation_audit (
                id INTEGER PRIMARY KEY,
                event TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                review_item INTEGER,
                actor TEXT NOT NULL,
                outcome TEXT NOT NULL,
                policy_version TEXT NOT NULL,
                model_versions TEXT NOT NULL,
                scores TEXT NOT NULL,
                reason TEXT,
                created_at INTEGER NOT NULL
            ) STRICT
            """,
            "CREATE INDEX moderation_audit_image ON moderation_audit (sha256, id)",
        ],
        postgres: [
            """
            CREATE TABLE moderation_decisions (
                sha256 text NOT NULL,
                policy_version text NOT NULL,
                model_key text NOT NULL,
                outcome text NOT NULL,
                stage text NOT NULL,
                decision jsonb NOT NULL,
                decided_at bigint NOT NULL,
                PRIMARY KEY (sha256, policy_version, model_key),
                CONSTRAINT moderation_decisions_outcome CHECK (outcome IN ('allow', 'uncertain', 'review', 'block'))
            )
            """,
            """
            CREATE TABLE moderation_overrides (
                sha256 text PRIMARY KEY,
                outcome text NOT NULL,
                review_item bigint NOT NULL,
                decision jsonb NOT NULL,
                decided_at bigint NOT NULL,
                CONSTRAINT moderation_overrides_outcome CHECK (outcome IN ('allow', 'block'))
            )
            """,
            """
            CREATE TABLE review_items (
                id bigserial PRIMARY KEY,
                sha256 text NOT NULL,
                category text NOT NULL,
                reason text NOT NULL,
                decision jsonb NOT NULL,
                policy_version text NOT NULL,
                state text NOT NULL,
                claimed_by text,
                lease_until bigint,
                reviewer text,
                verdict_reason text,
                decided_at bigint,
                created_at bigint NOT NULL,
                CONSTRAINT review_items_state CHECK (state IN ('pending', 'claimed', 'approved', 'rejected')),
                CONSTRAINT review_items_reason CHECK (reason IN ('flagged', 'sampled'))
            )
            """,
            "CREATE UNIQUE INDEX review_items_open ON review_items (sha256) WHERE state IN ('pending', 'claimed')",
            "CREATE INDEX review_items_queue ON review_items (state, category, id)",
            "CREATE INDEX review_items_image ON review_items (sha256, id)",
            """
            CREATE TABLE moderation_audit (
                id bigserial PRIMARY KEY,
                event text NOT NULL,
                sha256 text NOT NULL,
                review_item bigint,
                actor text NOT NULL,
                outcome text NOT NULL,
                policy_version text NOT NULL,
                model_versions jsonb NOT NULL,
                scores jsonb NOT NULL,
                reason text,
                created_at bigint NOT NULL
            )
            """,
            "CREATE INDEX moderation_audit_image ON moderation_audit (sha256, id)",
        ]
    )
}
