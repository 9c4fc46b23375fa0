/// What an API key may do. `admin` implies every other scope.
public enum Scope: String, Sendable, Codable, CaseIterable, Hashable {
    /// Classify uploaded images.
    case classify
    /// Read predictions, batches and events by hash or id.
    case read
    /// Submit batches for background ingest.
    case ingest
    /// Work the moderation review queue.
    case review
    /// Manage keys and webhooks, read metrics.
    case admin

    /// Parses a space- or comma-separated list, rejecting unknown names so a typo never yields a
    /// key with fewer rights than intended without anyone noticing.
    public static func parseList(_ text: String) throws(APIKeyError) -> Set<Scope> {
        var scopes = Set<Scope>()
        for name in text.split(whereSeparator: { $0 == " " || $0 == "," }) {
            guard let scope = Scope(rawValue: String(name)) else {
                throw .unknownScope(String(name))
            }
            scopes.insert(scope)
        }
        return scopes
    }
}

extension Set<Scope> {
    public func allows(_ scope: Scope) -> Bool { contains(scope) || contains(.admin) }

    /// The stored form: sorted, space-separated.
    package var stored: String { map(\.rawValue).sorted().joined(separator: " ") }
}
