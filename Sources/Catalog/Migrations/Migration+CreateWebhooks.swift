extension Migration {
    /// Webhook subscriptions, each with its own cursor into the event feed, and the delivery log.
    ///
    /// `kinds` is a JSON array of event kinds (`image.labelled`, or a prefix such as `image.*`);
    /// empty means every kind. `lease_owner`/`lease_until` let several API replicas run
    /// dispatchers without delivering one subscription's events twice at the same time.
    static let createWebhooks = Migration(
        version: 13,
        name: "create_webhooks",
        sqlite: [
            """
            CREATE TABLE webhook_subscriptions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                url TEXT NOT NULL,
                secret TEXT NOT NULL,
                kinds TEXT NOT NULL,
                cursor INTEGER NOT NULL,
                failures INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                lease_owner TEXT,
                lease_until INTEGER,
                created_at INTEGER NOT NULL
            ) STRICT
            """,
            """
            CREATE TABLE webhook_deliveries (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                subscription_id INTEGER NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
                event_id INTEGER NOT NULL,
                attempt INTEGER NOT NULL,
                status_code INTEGER,
                error TEXT,
                succeeded INTEGER NOT NULL,
                duration_ms INTEGER NOT NULL,
                created_at INTEGER NOT NULL
            ) STRICT
            """,
            "CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id)",
        ],
        postgres: [
            """
            CREATE TABLE webhook_subscriptions (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                url text NOT NULL,
                secret text NOT NULL,
                kinds text NOT NULL,
                cursor bigint NOT NULL,
                failures integer NOT NULL DEFAULT 0,
                next_attempt_at bigint NOT NULL,
                lease_owner text,
                lease_until bigint,
                created_at bigint NOT NULL
            )
            """,
            """
            CREATE TABLE webhook_deliveries (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                subscription_id bigint NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
                event_id bigint NOT NULL,
                attempt integer NOT NULL,
                status_code integer,
                error text,
                succeeded boolean NOT NULL,
                duration_ms integer NOT NULL,
                created_at bigint NOT NULL
            )
            """,
            "CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id)",
        ]
    )
}
