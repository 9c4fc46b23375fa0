import Catalog

/// Why a queue, batch, event or webhook operation failed; each message says what to do.
public enum JobQueueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database failed (unreachable, closed, constraint); the catalog's error says why.
    case catalog(CatalogError)
    /// An argument or stored value the queue cannot use.
    case invalid(String)
    /// A batch id that does not exist.
    case unknownBatch(String)
    /// A webhook subscription id that does not exist.
    case unknownWebhook(Int64)

    public var description: String {
        switch self {
        case .catalog(let error): "\(error)"
        case .invalid(let reason): reason
        case .unknownBatch(let id): "no batch with id \(id): check the id returned when it was submitted"
        case .unknownWebhook(let id): "no webhook subscription with id \(id): list them to find the right one"
        }
    }

    /// True when retrying later may succeed (the database is down or restarting).
    public var isTransient: Bool {
        switch self {
        case .catalog(.unreachable), .catalog(.database), .catalog(.storageFull): true
        default: false
        }
    }
}
