import GRDB

extension SQLiteCatalog {
    public func upsertEmbedding(_ embedding: EmbeddingRecord) async throws(CatalogError) {
        try await write { db in try Self.upsertEmbedding(embedding, in: db) }
    }

    static func upsertEmbedding(_ embedding: EmbeddingRecord, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO embeddings (sha256, model, dims, dtype, vector) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (sha256, model) DO UPDATE SET dims = excluded.dims, dtype = excluded.dtype, vector = excluded.vector
                """,
            arguments: [embedding.sha256, embedding.model, embedding.dims, embedding.dtype.rawValue, embedding.vector])
    }

    public func embedding(sha256: String, model: String) async throws(CatalogError) -> EmbeddingRecord? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(SQLiteRows.embeddingColumns) FROM embeddings WHERE sha256 = ? AND model = ?",
                arguments: [sha256, model]
            ).map { try SQLiteRows.embedding($0) }
        }
    }

    public func embeddings(model: String, afterID: Int64, limit: Int) async throws(CatalogError) -> [(id: Int64, record: EmbeddingRecord)] {
        try Self.checkLimit(limit)
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT i.id, e.sha256, e.model, e.dims, e.dtype, e.vector
                    FROM images i JOIN embeddings e ON e.sha256 = i.sha256
                    WHERE e.model = ? AND i.id > ? ORDER BY i.id LIMIT ?
                    """,
                arguments: [model, afterID, limit]
            ).map { row in
                (id: try row.decode(Int64.self, atIndex: 0), record: try SQLiteRows.embedding(row, offset: 1))
            }
        }
    }
}
