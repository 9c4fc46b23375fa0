extension Migration {
    /// Embeddings keyed by (image, model), vectors as little-endian bytes.
    ///
    /// The length CHECK is the one place the vector's size is enforced, for every writer. The
    /// paged scan joins images by id and probes this key, so no extra index is needed. SQLite keeps
    /// a rowid table because 2–5 KB rows would bloat a WITHOUT ROWID b-tree. PostgreSQL stores the
    /// vector EXTERNAL: float bytes do not compress, so trying on every write only costs CPU.
    static let createEmbeddings = Migration(
        version: 3,
        name: "create_embeddings",
        sqlite: [
            """
            CREATE TABLE embeddings (
                sha256 TEXT NOT NULL,
                model TEXT NOT NULL,
                dims INTEGER NOT NULL,
                dtype TEXT NOT NULL,
                vector BLOB NOT NULL,
                PRIMARY KEY (sha256, model),
                CONSTRAINT embeddings_image FOREIGN KEY (sha256) REFERENCES images (sha256) ON DELETE CASCADE,
                CONSTRAINT embeddings_dims_positive CHECK (dims > 0),
                CONSTRAINT embeddings_dtype_known CHECK (dtype IN ('float32', 'float16')),
                CONSTRAINT embeddings_vector_length CHECK (length(vector) = dims * (CASE dtype WHEN 'float32' THEN 4 ELSE 2 END))
            ) STRICT
            """,
        ],
        postgres: [
            """
            CREATE TABLE embeddings (
                sha256 text NOT NULL,
                model text NOT NULL,
                dims integer NOT NULL,
                dtype text NOT NULL,
                vector bytea NOT NULL,
                PRIMARY KEY (sha256, model),
                CONSTRAINT embeddings_image FOREIGN KEY (sha256) REFERENCES images (sha256) ON DELETE CASCADE,
                CONSTRAINT embeddings_dims_positive CHECK (dims > 0),
                CONSTRAINT embeddings_dtype_known CHECK (dtype IN ('float32', 'float16')),
                CONSTRAINT embeddings_vector_length CHECK (octet_length(vector) = dims * (CASE dtype WHEN 'float32' THEN 4 ELSE 2 END))
            )
            """,
            "ALTER TABLE embeddings ALTER COLUMN vector SET STORAGE EXTERNAL",
        ]
    )
}
