import Foundation
import PostgresNIO

/// Column lists and row decoding shared by the PostgreSQL queries.
enum PostgresRows {
    static let imageColumns = "id, sha256, bytes, format, width, height, phash, created_at, source_name, phash_crops, animated"
    static let predictionColumns = "sha256, model, model_version, labels::text, created_at"
    static let embeddingColumns = "sha256, model, dims, dtype, vector"

    static func image(_ row: PostgresRow) throws -> ImageRecord {
        let (id, sha256, bytes, format, width, height, phash, createdAt, sourceName, crops, animated) = try decoding("images") {
            try row.decode((Int64, String, Int, String, Int, Int, Int64, PostgresTimestamp, String?, ByteBuffer, Bool).self)
        }
        return ImageRecord(
            id: id, sha256: sha256, bytes: bytes, format: format, width: width, height: height,
            phash: StoredValues.phash(stored: phash), phashCrops: try StoredValues.phashCrops(stored: Data(buffer: crops)),
            createdAt: createdAt.date, sourceName: sourceName, animated: animated)
    }

    static func prediction(_ row: PostgresRow) throws -> PredictionRecord {
        let (sha256, model, modelVersion, labels, createdAt) = try decoding("predictions") {
            try row.decode((String, String, String, String, PostgresTimestamp).self)
        }
        return PredictionRecord(
            sha256: sha256, model: model, modelVersion: modelVersion,
            labels: try StoredValues.labels(fromJSON: labels), createdAt: createdAt.date)
    }

    /// Decodes an embedding whose image id is the first column.
    static func embeddingWithID(_ row: PostgresRow) throws -> (id: Int64, record: EmbeddingRecord) {
        let (id, sha256, model, dims, dtype, vector) = try decoding("embeddings") {
            try row.decode((Int64, String, String, Int, String, Data).self)
        }
        return (id, try StoredValues.embedding(sha256: sha256, model: model, dims: dims, dtype: dtype, vector: vector))
    }

    static func embedding(_ row: PostgresRow) throws -> EmbeddingRecord {
        let (sha256, model, dims, dtype, vector) = try decoding("embeddings") {
            try row.decode((String, String, Int, String, Data).self)
        }
        return try StoredValues.embedding(sha256: sha256, model: model, dims: dims, dtype: dtype, vector: vector)
    }

    /// Names the table in decoding failures, which PostgresNIO reports only by column.
    private static func decoding<T>(_ table: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresDecodingError {
            throw CatalogError.corruptRow(
                table: table, reason: "column '\(error.columnName)' does not decode as \(error.targetType): \(error.code)")
        }
    }
}
