/// How an embedding's elements are stored.
///
/// float16 halves the storage of large collections at a precision cost (about 3 significant
/// digits) that cosine similarity over unit vectors tolerates.
public enum EmbeddingDType: String, Sendable, Codable, Equatable, Hashable, CaseIterable {
    case float32
    case float16

    /// Bytes per element in `EmbeddingRecord.vector`.
    public var byteWidth: Int {
        switch self {
        case .float32: 4
        case .float16: 2
        }
    }
}
