/// Everything SimilaritySearch can fail with; each message says what to do about it.
///
/// One typed error for the Hamming index, the vector index and PCA, so callers (ingest, the CLI)
/// can tell "you passed the wrong thing" from "the file on disk is damaged" from "FAISS broke"
/// without knowing anything about the C++ underneath.
public enum SearchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A vector had the wrong number of components for this index or transform.
    case dimensionMismatch(expected: Int, actual: Int)
    /// A row-major batch whose length is not a whole number of vectors.
    case raggedBatch(floats: Int, dimension: Int)
    /// The number of ids does not match the number of codes or vectors passed with them.
    case countMismatch(ids: Int, items: Int)
    /// An argument is out of range or a vector cannot be used (zero, NaN, infinite).
    case invalidArgument(String)
    /// An id is already in the index, or repeated within one call.
    case duplicateID(String)
    /// An approximate index was used before it was trained.
    case notTrained(String)
    /// The operating system refused a file operation.
    case io(String)
    /// A file is not a Lenscale index of the expected kind, is truncated, or fails its checksum.
    case corruptFile(String)
    /// FAISS could not allocate memory.
    case outOfMemory(String)
    /// FAISS failed in a way the caller could not have prevented.
    case faissFailure(String)

    public var description: String {
        switch self {
        case .dimensionMismatch(let expected, let actual):
            "expected vectors of \(expected) components but got \(actual); check the embedding model and "
                + "that vectors are passed row-major as count × dimension floats"
        case .raggedBatch(let floats, let dimension):
            "got \(floats) floats, which is not a whole number of \(dimension)-component vectors; pass "
                + "count × \(dimension) floats, one vector after another"
        case .countMismatch(let ids, let items):
            "got \(ids) ids for \(items) items; pass exactly one id per code or vector"
        case .invalidArgument(let reason):
            "invalid argument: \(reason)"
        case .duplicateID(let reason):
            "duplicate id: \(reason)"
        case .notTrained(let reason):
            "index not trained: \(reason)"
        case .io(let reason):
            "file error: \(reason)"
        case .corruptFile(let reason):
            "unusable index file: \(reason)"
        case .outOfMemory(let reason):
            "out of memory: \(reason)"
        case .faissFailure(let reason):
            "FAISS failed: \(reason). This is a bug in Lenscale or FAISS; please report it with the inputs"
        }
    }
}
