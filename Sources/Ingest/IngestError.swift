import Catalog
import Classification
import SimilaritySearch
import Storage

/// Why an ingest, or one file of it, failed. Each case wraps the failing layer's own typed
/// error, whose message already says what to do.
public enum IngestError: Error, Sendable, CustomStringConvertible {
    case classification(ClassificationError)
    case storage(StorageError)
    case catalog(CatalogError)
    case search(SearchError)
    case workspace(String)
    /// A SHA-256 named on the command line that the catalog has never seen.
    case unknownHash(String)
    /// A query argument that is neither a file nor a 64-digit hash.
    case invalidQuery(String)

    public var description: String {
        switch self {
        case .classification(let error): return error.description
        case .storage(let error): return "object store: \(error)"
        case .catalog(let error): return "catalog: \(error)"
        case .search(let error): return "index: \(error)"
        case .workspace(let message): return message
        case .unknownHash(let hash): return "no image with SHA-256 \(hash) in the catalog: ingest it first"
        case .invalidQuery(let text): return "\(text) is neither a file nor a 64-digit SHA-256"
        }
    }

    /// A stable machine-readable code.
    public var code: String {
        switch self {
        case .classification(let error): return error.code
        case .storage: return "storage"
        case .catalog: return "catalog"
        case .search: return "index"
        case .workspace: return "workspace"
        case .unknownHash: return "unknown_hash"
        case .invalidQuery: return "invalid_query"
        }
    }
}
