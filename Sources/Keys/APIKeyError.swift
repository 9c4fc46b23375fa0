/// Why a key could not be created, parsed or revoked.
public enum APIKeyError: Error, Sendable, CustomStringConvertible, Equatable {
    case unknownScope(String)
    case noScopes
    case malformed
    case notFound(id: String)
    case storage(String)

    public var description: String {
        switch self {
        case .unknownScope(let name):
            "unknown scope '\(name)'; use one of \(Scope.allCases.map(\.rawValue).joined(separator: ", "))"
        case .noScopes: "a key needs at least one scope; pass --scope (classify, read, ingest, review or admin)"
        case .malformed: "not a Lenscale API key; keys look like lsk_<id>_<secret>"
        case .notFound(let id): "no API key with id '\(id)'; `lenscale keys list` shows them"
        case .storage(let reason): "the key store failed: \(reason)"
        }
    }
}
