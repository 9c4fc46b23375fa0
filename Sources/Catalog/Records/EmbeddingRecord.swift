import Foundation

/// One model's embedding of one image, kept as the raw little-endian bytes the database stores.
///
/// `model` is a free string such as `efficientnet-lite0` or `efficientnet-lite0/pca512`, so
/// derived vectors (reduced, quantised) live beside the originals without a schema change.
/// Keeping bytes rather than `[Float]` lets a float16 vector be read and written without
/// widening it, and lets the database check its length against `dims`.
public struct EmbeddingRecord: Sendable, Codable, Equatable, Hashable {
    public let sha256: String
    public let model: String
    public let dims: Int
    public let dtype: EmbeddingDType
    /// `dims` elements of `dtype`, little-endian.
    public let vector: Data

    /// Takes the bytes as given: the database, not this initialiser, rejects a vector whose length
    /// does not match `dims` and `dtype`, so there is one rule and one error for it.
    public init(sha256: String, model: String, dims: Int, dtype: EmbeddingDType, vector: Data) {
        self.sha256 = sha256
        self.model = model
        self.dims = dims
        self.dtype = dtype
        self.vector = vector
    }

    /// Encodes `floats` as `dtype`; float16 rounds each value to the nearest representable one.
    public init(sha256: String, model: String, floats: [Float], dtype: EmbeddingDType = .float32) {
        self.init(
            sha256: sha256, model: model, dims: floats.count, dtype: dtype,
            vector: VectorCoding.encode(floats, as: dtype))
    }
}
