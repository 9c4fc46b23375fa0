import Foundation

/// Conversions between record fields and the column values both backends store, so the two
/// backends agree byte for byte and report bad rows the same way.
enum StoredValues {
    static func labelsJSON(_ labels: [StoredLabel]) throws(CatalogError) -> String {
        do {
            return String(decoding: try JSONEncoder().encode(labels), as: UTF8.self)
        } catch {
            throw .invalidRecord("labels cannot be stored as JSON (scores must be finite numbers): \(error)")
        }
    }

    static func labels(fromJSON text: String) throws(CatalogError) -> [StoredLabel] {
        do {
            return try JSONDecoder().decode([StoredLabel].self, from: Data(text.utf8))
        } catch {
            throw .corruptRow(table: "predictions", reason: "labels are not a JSON array of {index, name, score}: \(error)")
        }
    }

    /// Rebuilds an embedding from its columns, refusing one whose bytes do not match its shape
    /// (the CHECK prevents that for rows this code wrote).
    static func embedding(
        sha256: String, model: String, dims: Int, dtype: String, vector: Data
    ) throws(CatalogError) -> EmbeddingRecord {
        guard let kind = EmbeddingDType(rawValue: dtype) else {
            throw .corruptRow(table: "embeddings", reason: "unknown dtype '\(dtype)' for \(sha256) \(model)")
        }
        guard dims > 0, vector.count == dims * kind.byteWidth else {
            throw .corruptRow(
                table: "embeddings",
                reason: "\(sha256) \(model) has \(vector.count) bytes for \(dims) \(dtype) elements")
        }
        return EmbeddingRecord(sha256: sha256, model: model, dims: dims, dtype: kind, vector: vector)
    }

    static func phash(stored: Int64) -> UInt64 { UInt64(bitPattern: stored) }

    /// Crop hashes are stored as one little-endian blob of 8 bytes each: they are always read and
    /// written together, and never queried one by one.
    static func stored(phashCrops: [UInt64]) -> Data {
        var data = Data(capacity: phashCrops.count * 8)
        for code in phashCrops { withUnsafeBytes(of: code.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func phashCrops(stored data: Data) throws(CatalogError) -> [UInt64] {
        guard data.count.isMultiple(of: 8) else {
            throw .corruptRow(table: "images", reason: "phash_crops has \(data.count) bytes, not a multiple of 8")
        }
        return stride(from: 0, to: data.count, by: 8).map { start in
            data[data.startIndex + start..<data.startIndex + start + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }
    }
    static func stored(phash: UInt64) -> Int64 { Int64(bitPattern: phash) }
}
