extension Migration {
    /// Images keyed by content hash, with an integer id for the vector and hash indexes.
    ///
    /// SQLite: AUTOINCREMENT so a deleted image's id is never handed out again (an index built
    /// earlier would otherwise point at the wrong image); STRICT so a mistyped bind fails instead
    /// of being stored as text. Times are INTEGER microseconds (see `CatalogTime`). The CHECKs are
    /// named so errors can say which rule failed.
    static let createImages = Migration(
        version: 1,
        name: "create_images",
        sqlite: [
            """
            CREATE TABLE images (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                sha256 TEXT NOT NULL UNIQUE,
                bytes INTEGER NOT NULL,
                format TEXT NOT NULL,
                width INTEGER NOT NULL,
                height INTEGER NOT NULL,
                phash INTEGER NOT NULL,
                phash_crops BLOB NOT NULL DEFAULT x'',
                created_at INTEGER NOT NULL,
                source_name TEXT,
                CONSTRAINT images_sha256_hex CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
                CONSTRAINT images_bytes_nonnegative CHECK (bytes >= 0),
                CONSTRAINT images_format_known CHECK (format IN ('jpeg', 'png', 'webp')),
                CONSTRAINT images_size_positive CHECK (width > 0 AND height > 0)
            ) STRICT
            """,
        ],
        postgres: [
            """
            CREATE TABLE images (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                sha256 text NOT NULL,
                bytes bigint NOT NULL,
                format text NOT NULL,
                width integer NOT NULL,
                height integer NOT NULL,
                phash bigint NOT NULL,
                phash_crops bytea NOT NULL DEFAULT '\\x'::bytea,
                created_at timestamptz NOT NULL,
                source_name text,
                CONSTRAINT images_sha256_key UNIQUE (sha256),
                CONSTRAINT images_sha256_hex CHECK (sha256 ~ '^[0-9a-f]{64}$'),
                CONSTRAINT images_bytes_nonnegative CHECK (bytes >= 0),
                CONSTRAINT images_format_known CHECK (format IN ('jpeg', 'png', 'webp')),
                CONSTRAINT images_size_positive CHECK (width > 0 AND height > 0)
            )
            """,
        ]
    )
}
