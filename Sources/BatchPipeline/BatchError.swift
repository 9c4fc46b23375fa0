import Catalog
import Classification
import Storage

/// Why a whole batch run could not start or go on. One bad image is never a `BatchError`: it is a
/// line in `failures.jsonl` and the run continues.
public enum BatchError: Error, Sendable, CustomStringConvertible {
    /// The SOURCE argument names nothing usable.
    case source(String)
    /// The manifest cannot be read or parsed; `line` is 1-based.
    case manifest(path: String, line: Int?, reason: String)
    /// `--shard` or the Kubernetes environment describe an impossible shard.
    case shard(String)
    /// The bucket could not be listed.
    case storage(StorageError)
    /// The output folder cannot be created, locked, written or fsynced.
    case output(path: String, reason: String)
    /// The output folder holds a run made with other settings, which a resume would mix up.
    case incompatibleOutput(path: String, reason: String)
    /// The catalog could not be opened.
    case catalog(CatalogError)
    /// The model cannot be used for a batch run.
    case model(String)

    public var description: String {
        switch self {
        case .source(let reason):
            return reason
        case .manifest(let path, let line, let reason):
            return "\(path)\(line.map { ":\($0)" } ?? ""): \(reason)"
        case .shard(let reason):
            return reason
        case .storage(let error):
            return "cannot list the source: \(error)"
        case .output(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .incompatibleOutput(let path, let reason):
            return "\(path) holds an earlier run with other settings (\(reason)); rerun with the same settings to resume it, or pass a new --out folder"
        case .catalog(let error):
            return "catalog: \(error)"
        case .model(let reason):
            return reason
        }
    }
}
