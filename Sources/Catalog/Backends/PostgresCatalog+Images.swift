import Foundation
import PostgresNIO

extension PostgresCatalog {
    public func insertImage(_ image: NewImage) async throws(CatalogError) -> (record: ImageRecord, inserted: Bool) {
        let createdAt = CatalogTime.now()
        let logger = self.logger
        return try await withConnection { connection in
            try await Self.insertImage(image, createdAt: createdAt, on: connection, logger: logger)
        }
    }

    /// INSERT … ON CONFLICT DO NOTHING, then a separate SELECT when nothing was inserted. Separate
    /// statements on purpose: under READ COMMITTED each statement takes a fresh snapshot, so the
    /// SELECT sees a row that a concurrent inserter committed while this INSERT waited on it. A
    /// single statement (a CTE) would use the INSERT's older snapshot and find nothing.
    static func insertImage(
        _ image: NewImage, createdAt: Date, on connection: PostgresConnection, logger: Logger
    ) async throws -> (record: ImageRecord, inserted: Bool) {
        let inserted = try await fetch(
            """
            INSERT INTO images (sha256, bytes, format, width, height, phash, created_at, source_name, phash_crops, animated)
            VALUES (\(image.sha256), \(image.bytes), \(image.format), \(image.width), \(image.height),
                    \(StoredValues.stored(phash: image.phash)), \(PostgresTimestamp(createdAt)), \(image.sourceName),
                    \(ByteBuffer(data: StoredValues.stored(phashCrops: image.phashCrops))), \(image.animated))
            ON CONFLICT (sha256) DO NOTHING
            RETURNING \(unescaped: PostgresRows.imageColumns)
            """, on: connection, logger: logger, PostgresRows.image)
        if let record = inserted.first {
            return (record, true)
        }
        let existing = try await fetch(
            "SELECT \(unescaped: PostgresRows.imageColumns) FROM images WHERE sha256 = \(image.sha256)",
            on: connection, logger: logger, PostgresRows.image)
        guard let record = existing.first else {
            throw CatalogError.database("image \(image.sha256) conflicted on insert but cannot be found")
        }
        return (record, false)
    }

    public func image(sha256: String) async throws(CatalogError) -> ImageRecord? {
        try await fetch(
            "SELECT \(unescaped: PostgresRows.imageColumns) FROM images WHERE sha256 = \(sha256)", PostgresRows.image
        ).first
    }

    public func images(ids: [Int64]) async throws(CatalogError) -> [ImageRecord] {
        guard !ids.isEmpty else { return [] }
        return try await fetch(
            "SELECT \(unescaped: PostgresRows.imageColumns) FROM images WHERE id = ANY(\(ids)) ORDER BY id", PostgresRows.image)
    }

    public func imageCount() async throws(CatalogError) -> Int {
        try await fetch("SELECT count(*) FROM images") { try $0.decode(Int.self) }.first ?? 0
    }

    public func phashes(afterID: Int64, limit: Int) async throws(CatalogError) -> [(id: Int64, sha256: String, phash: UInt64, crops: [UInt64])] {
        try Self.checkLimit(limit)
        return try await fetch(
            "SELECT id, sha256, phash, phash_crops FROM images WHERE id > \(afterID) ORDER BY id LIMIT \(limit)"
        ) { row in
            let (id, sha256, phash, crops) = try row.decode((Int64, String, Int64, ByteBuffer).self)
            return (id, sha256, StoredValues.phash(stored: phash), try StoredValues.phashCrops(stored: Data(buffer: crops)))
        }
    }

    public func record(
        image: NewImage, predictions: [PredictionRecord], embeddings: [EmbeddingRecord]
    ) async throws(CatalogError) -> (record: ImageRecord, inserted: Bool) {
        try Self.checkParts(of: image, predictions: predictions, embeddings: embeddings)
        let createdAt = CatalogTime.now()
        let labels = try predictions.map { prediction throws(CatalogError) in try StoredValues.labelsJSON(prediction.labels) }
        let logger = self.logger
        return try await transaction { connection in
            let result = try await Self.insertImage(image, createdAt: createdAt, on: connection, logger: logger)
            for (prediction, json) in zip(predictions, labels) {
                try await Self.upsertPrediction(prediction, labelsJSON: json, on: connection, logger: logger)
            }
            for embedding in embeddings {
                try await Self.upsertEmbedding(embedding, on: connection, logger: logger)
            }
            return result
        }
    }
}
