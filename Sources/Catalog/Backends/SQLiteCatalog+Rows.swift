import Foundation
import GRDB

/// Column lists and row decoding shared by the SQLite queries, so every query selects the
/// columns in the order the decoders expect.
enum SQLiteRows {
    static let imageColumns = "id, sha256, bytes, format, width, height, phash, created_at, source_name, phash_crops, animated"
    static let predictionColumns = "sha256, model, model_version, labels, created_at"
    static let embeddingColumns = "sha256, model, dims, dtype, vector"

    static func image(_ row: Row, offset: Int = 0) throws -> ImageRecord {
        do {
            return ImageRecord(
                id: try row.decode(Int64.self, atIndex: offset),
                sha256: try row.decode(String.self, atIndex: offset + 1),
                bytes: try row.decode(Int.self, atIndex: offset + 2),
                format: try row.decode(String.self, atIndex: offset + 3),
                width: try row.decode(Int.self, atIndex: offset + 4),
                height: try row.decode(Int.self, atIndex: offset + 5),
                phash: StoredValues.phash(stored: try row.decode(Int64.self, atIndex: offset + 6)),
                phashCrops: try StoredValues.phashCrops(stored: try row.decode(Data.self, atIndex: offset + 9)),
                createdAt: CatalogTime.date(microseconds: try row.decode(Int64.self, atIndex: offset + 7)),
                sourceName: try row.decode(String?.self, atIndex: offset + 8),
                animated: try row.decode(Bool.self, atIndex: offset + 10))
        } catch let error as RowDecodingError {
            throw CatalogError.corruptRow(table: "images", reason: "\(error)")
        }
    }

    static func prediction(_ row: Row) throws -> PredictionRecord {
        do {
            return PredictionRecord(
                sha256: try row.decode(String.self, atIndex: 0),
                model: try row.decode(String.self, atIndex: 1),
                modelVersion: try row.decode(String.self, atIndex: 2),
                labels: try StoredValues.labels(fromJSON: try row.decode(String.self, atIndex: 3)),
                createdAt: CatalogTime.date(microseconds: try row.decode(Int64.self, atIndex: 4)))
        } catch let error as RowDecodingError {
            throw CatalogError.corruptRow(table: "predictions", reason: "\(error)")
        }
    }

    static func embedding(_ row: Row, offset: Int = 0) throws -> EmbeddingRecord {
        do {
            return try StoredValues.embedding(
                sha256: try row.decode(String.self, atIndex: offset),
                model: try row.decode(String.self, atIndex: offset + 1),
                dims: try row.decode(Int.self, atIndex: offset + 2),
                dtype: try row.decode(String.self, atIndex: offset + 3),
                vector: try row.decode(Data.self, atIndex: offset + 4))
        } catch let error as RowDecodingError {
            throw CatalogError.corruptRow(table: "embeddings", reason: "\(error)")
        }
    }
}
