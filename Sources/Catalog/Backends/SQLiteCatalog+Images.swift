import Foundation
import GRDB

extension SQLiteCatalog {
    public func insertImage(_ image: NewImage) async throws(CatalogError) -> (record: ImageRecord, inserted: Bool) {
        let createdAt = CatalogTime.now()
        return try await write { db in try Self.insertImage(image, createdAt: createdAt, in: db) }
    }

    /// INSERT … ON CONFLICT DO NOTHING, then the existing row when nothing was inserted. Both run
    /// inside the caller's IMMEDIATE transaction, so no other writer can slip in between.
    static func insertImage(_ image: NewImage, createdAt: Date, in db: Database) throws -> (record: ImageRecord, inserted: Bool) {
        let inserted = try Row.fetchOne(
            db,
            sql: """
                INSERT INTO images (sha256, bytes, format, width, height, phash, created_at, source_name, phash_crops, animated)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (sha256) DO NOTHING
                RETURNING \(SQLiteRows.imageColumns)
                """,
            arguments: [
                image.sha256, image.bytes, image.format, image.width, image.height,
                StoredValues.stored(phash: image.phash), CatalogTime.microseconds(createdAt), image.sourceName,
                StoredValues.stored(phashCrops: image.phashCrops), image.animated,
            ])
        if let inserted {
            return (try SQLiteRows.image(inserted), true)
        }
        guard let existing = try Row.fetchOne(
            db, sql: "SELECT \(SQLiteRows.imageColumns) FROM images WHERE sha256 = ?", arguments: [image.sha256])
        else {
            throw CatalogError.database("image \(image.sha256) conflicted on insert but cannot be found")
        }
        return (try SQLiteRows.image(existing), false)
    }

    public func image(sha256: String) async throws(CatalogError) -> ImageRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(SQLiteRows.imageColumns) FROM images WHERE sha256 = ?", arguments: [sha256])
                .map { try SQLiteRows.image($0) }
        }
    }

    /// The ids travel as one JSON array expanded by `json_each`, not as one bind per id, so any
    /// number of ids fits under SQLite's limit on bound parameters.
    public func images(ids: [Int64]) async throws(CatalogError) -> [ImageRecord] {
        guard !ids.isEmpty else { return [] }
        let json = "[" + ids.map(String.init).joined(separator: ",") + "]"
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(SQLiteRows.imageColumns) FROM images
                    WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id
                    """,
                arguments: [json]
            ).map { try SQLiteRows.image($0) }
        }
    }

    public func imageCount() async throws(CatalogError) -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM images") ?? 0 }
    }

    public func phashes(afterID: Int64, limit: Int) async throws(CatalogError) -> [(id: Int64, sha256: String, phash: UInt64, crops: [UInt64])] {
        try Self.checkLimit(limit)
        return try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, sha256, phash, phash_crops FROM images WHERE id > ? ORDER BY id LIMIT ?",
                arguments: [afterID, limit]
            ).map { row in
                (id: try row.decode(Int64.self, atIndex: 0), sha256: try row.decode(String.self, atIndex: 1),
                 phash: StoredValues.phash(stored: try row.decode(Int64.self, atIndex: 2)),
                 crops: try StoredValues.phashCrops(stored: try row.decode(Data.self, atIndex: 3)))
            }
        }
    }

    public func record(
        image: NewImage, predictions: [PredictionRecord], embeddings: [EmbeddingRecord]
    ) async throws(CatalogError) -> (record: ImageRecord, inserted: Bool) {
        try Self.checkParts(of: image, predictions: predictions, embeddings: embeddings)
        let createdAt = CatalogTime.now()
        let labels = try predictions.map { prediction throws(CatalogError) in try StoredValues.labelsJSON(prediction.labels) }
        return try await write { db in
            let result = try Self.insertImage(image, createdAt: createdAt, in: db)
            for (prediction, json) in zip(predictions, labels) {
                try Self.upsertPrediction(prediction, labelsJSON: json, in: db)
            }
            for embedding in embeddings {
                try Self.upsertEmbedding(embedding, in: db)
            }
            return result
        }
    }
}
