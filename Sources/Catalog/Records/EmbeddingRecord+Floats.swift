import Foundation

extension EmbeddingRecord {
    /// The elements as `Float`, widened from float16 when stored that way; what the search index
    /// consumes whatever the storage type.
    public var floats: [Float] {
        VectorCoding.decode(vector, as: dtype)
    }
}
