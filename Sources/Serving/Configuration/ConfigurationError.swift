/// Why a configuration cannot be used; the message names the key and what to change.
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case syntax(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read the configuration \(path): \(reason)"
        case .syntax(let reason): "the configuration is not valid: \(reason)"
        case .invalid(let reason): reason
        }
    }
}
