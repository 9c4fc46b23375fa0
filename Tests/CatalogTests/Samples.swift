import Catalog
import Foundation

/// Deterministic records for the contract tests.
enum Samples {
    /// A valid, distinct sha256 for each `n`.
    static func sha256(_ n: Int) -> String {
        let hex = String(UInt64(n), radix: 16)
        return String(repeating: "a", count: 64 - hex.count) + hex
    }

    static func image(_ n: Int, phash: UInt64? = nil, sourceName: String? = nil) -> NewImage {
        NewImage(
            sha256: sha256(n), bytes: 1000 + n, format: ["jpeg", "png", "webp"][n % 3], width: 640 + n, height: 480,
            phash: phash ?? UInt64(n) &* 0x9E37_79B9_7F4A_7C15, sourceName: sourceName ?? "photo-\(n).jpg")
    }

    static func prediction(_ n: Int, model: String = "efficientnet-lite0", version: String = "1") -> PredictionRecord {
        PredictionRecord(
            sha256: sha256(n), model: model, modelVersion: version,
            labels: [
                StoredLabel(index: 281, name: "tabby, tabby cat", score: 0.7134),
                StoredLabel(index: 285, name: "Egyptian cat", score: 0.1),
            ],
            createdAt: Date(timeIntervalSince1970: 1_700_000_000.123456789))
    }

    /// A deterministic vector with values of mixed sign and magnitude.
    static func floats(count: Int, seed: Int = 1) -> [Float] {
        (0..<count).map { i in Float(sin(Double(i * 7 + seed))) * (i % 5 == 0 ? 10 : 0.5) }
    }

    static func embedding(_ n: Int, model: String = "efficientnet-lite0", dims: Int = 1280, dtype: EmbeddingDType = .float32) -> EmbeddingRecord {
        EmbeddingRecord(sha256: sha256(n), model: model, floats: floats(count: dims, seed: n), dtype: dtype)
    }
}
