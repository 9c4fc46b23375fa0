extension Migration {
    /// API keys for `lenscale serve`, stored as SHA-256 digests of their secrets.
    ///
    /// The id is the public half of a key (`lsk_<id>_<secret>`), so a lookup is one primary-key
    /// probe and the secret itself never reaches the database; a stolen backup yields no usable
    /// key. Scopes are a space-separated list checked by the server. Revoking keeps the row (with
    /// `revoked_at`) so audit logs that name the key still resolve.
    static let createAPIKeys = Migration(
        version: 4,
        name: "create_api_keys",
        sqlite: [
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                secret_sha256 TEXT NOT NULL,
                scopes TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                revoked_at INTEGER,
                CONSTRAINT api_keys_secret_hex CHECK (length(secret_sha256) = 64)
            ) STRICT, WITHOUT ROWID
            """,
        ],
        postgres: [
            """
            CREATE TABLE api_keys (
                id text PRIMARY KEY,
                name text NOT NULL,
                secret_sha256 text NOT NULL,
                scopes text NOT NULL,
                created_at timestamptz NOT NULL,
                revoked_at timestamptz,
                CONSTRAINT api_keys_secret_hex CHECK (length(secret_sha256) = 64)
            )
            """,
        ]
    )
}
