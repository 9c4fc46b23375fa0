import PostgresNIO

extension PostgresCatalog {
    public func upsertEmbedding(_ embedding: EmbeddingRecord) async throws(CatalogError) {
        let logger = self.logger
        try await withConnection { connection in
            try await Self.upsertEmbedding(embedding, on: connection, logger: logger)
        }
    }

    static func upsertEmbedding(_ embedding: EmbeddingRecord, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO embeddings (sha256, model, dims, dtype, vector)
            VALUES (\(embedding.sha256), \(embedding.model), \(embedding.dims), \(embedding.dtype.rawValue), \(embedding.vector))
            ON CONFLICT (sha256, model)
            DO UPDATE SET dims = EXCLUDED.dims, dtype = EXCLUDED.dtype, vector = EXCLUDED.vector
            """, logger: logger)
    }

    public func embedding(sha256: String, model: String) async throws(CatalogError) -> EmbeddingRecord? {
        try await fetch(
            "SELECT \(unescaped: PostgresRows.embeddingColumns) FROM embeddings WHERE sha256 = \(sha256) AND model = \(model)",
            PostgresRows.embedding
        ).first
    }

    public func embeddings(model: String, afterID: Int64, limit: Int) async throws(CatalogError) -> [(id: Int64, record: EmbeddingRecord)] {
        try Self.checkLimit(limit)
        return try await fetch(
            """
            SELECT i.id, e.sha256, e.model, e.dims, e.dtype, e.vector
            FROM images i JOIN embeddings e ON e.sha256 = i.sha256
            WHERE e.model = \(model) AND i.id > \(afterID) ORDER BY i.id LIMIT \(limit)
            """, PostgresRows.embeddingWithID)
    }
}
