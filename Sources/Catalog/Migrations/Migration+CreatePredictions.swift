extension Migration {
    /// Predictions keyed by (image, model, version); the key's prefix serves `predictions(sha256:)`
    /// and the foreign key's cascade, so no further index is needed.
    ///
    /// Labels are JSON text in SQLite and JSONB in PostgreSQL, where they can be queried
    /// (`labels @> '[{"name": "tabby"}]'`) once a GIN index is worth adding. SQLite's table is
    /// WITHOUT ROWID because rows are small and always found by their key.
    static let createPredictions = Migration(
        version: 2,
        name: "create_predictions",
        sqlite: [
            """
            CREATE TABLE predictions (
                sha256 TEXT NOT NULL,
                model TEXT NOT NULL,
                model_version TEXT NOT NULL,
                labels TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (sha256, model, model_version),
                CONSTRAINT predictions_image FOREIGN KEY (sha256) REFERENCES images (sha256) ON DELETE CASCADE,
                CONSTRAINT predictions_labels_array CHECK (json_valid(labels) AND json_type(labels) = 'array')
            ) STRICT, WITHOUT ROWID
            """,
        ],
        postgres: [
            """
            CREATE TABLE predictions (
                sha256 text NOT NULL,
                model text NOT NULL,
                model_version text NOT NULL,
                labels jsonb NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (sha256, model, model_version),
                CONSTRAINT predictions_image FOREIGN KEY (sha256) REFERENCES images (sha256) ON DELETE CASCADE,
                CONSTRAINT predictions_labels_array CHECK (jsonb_typeof(labels) = 'array')
            )
            """,
        ]
    )
}
