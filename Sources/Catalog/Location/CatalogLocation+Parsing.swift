import Foundation

extension CatalogLocation {
    /// Parses a path, `sqlite://PATH` or a PostgreSQL URL.
    ///
    /// PostgreSQL URLs accept the query parameters `sslmode` (libpq's values), `schema`,
    /// `connect_timeout` (seconds), `pool_max` (connections), and the limits of
    /// `PostgresCatalog.Timeouts` in seconds: `query_timeout`, `statement_timeout`, `lock_timeout`,
    /// `idle_in_transaction_timeout`, `keepalive`. Unknown parameters are errors,
    /// not ignored, so a typo cannot silently change where data goes.
    public init(parsing text: String) throws(CatalogError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .invalidLocation(text, reason: "it is empty") }
        let lowered = trimmed.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(try Self.parsePostgres(trimmed))
        } else if lowered.hasPrefix("sqlite://") {
            let path = String(trimmed.dropFirst("sqlite://".count))
            self = .sqlite(try Self.sqlite(path: path, original: text))
        } else if let scheme = trimmed.range(of: "://").map({ trimmed[..<$0.lowerBound] }) {
            throw .invalidLocation(text, reason: "unsupported scheme '\(scheme)'")
        } else {
            self = .sqlite(try Self.sqlite(path: trimmed, original: text))
        }
    }

    private static func sqlite(path: String, original: String) throws(CatalogError) -> SQLiteCatalog.Configuration {
        guard !path.isEmpty else { throw .invalidLocation(original, reason: "the SQLite path is empty") }
        guard path != ":memory:" else {
            throw .invalidLocation(original, reason: "an in-memory database cannot run in WAL mode; use a file")
        }
        return SQLiteCatalog.Configuration(path: (path as NSString).expandingTildeInPath)
    }

    private static func parsePostgres(_ text: String) throws(CatalogError) -> PostgresCatalog.Configuration {
        let redacted = Self.redacted(text)
        guard let components = URLComponents(string: text) else {
            throw .invalidLocation(redacted, reason: "it is not a valid URL (percent-encode special characters in the password)")
        }
        guard let username = components.user, !username.isEmpty else {
            throw .invalidLocation(redacted, reason: "it names no user; write postgres://user:password@host/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalidLocation(redacted, reason: "it names no host; write postgres://user:password@host/database")
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.contains("/") else {
            throw .invalidLocation(redacted, reason: "the path must be just the database name")
        }
        var configuration = PostgresCatalog.Configuration(
            host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")),
            port: components.port ?? 5432,
            username: username,
            password: components.password,
            database: path.isEmpty ? username : path)
        for item in components.queryItems ?? [] {
            try apply(item, to: &configuration, location: redacted)
        }
        return configuration
    }

    private static func apply(
        _ item: URLQueryItem, to configuration: inout PostgresCatalog.Configuration, location: String
    ) throws(CatalogError) {
        let value = item.value ?? ""
        switch item.name {
        case "sslmode":
            guard let mode = PostgresCatalog.TLSMode(rawValue: value) else {
                throw .invalidLocation(location, reason: "sslmode must be one of disable, prefer, require, verify-ca, verify-full")
            }
            configuration.tls = mode
        case "schema":
            guard PostgresIdentifier.isValid(value) else {
                throw .invalidLocation(location, reason: "schema must be a lowercase SQL identifier ([a-z_][a-z0-9_]*, at most 63 characters)")
            }
            configuration.schema = value
        case "connect_timeout":
            configuration.connectTimeout = try seconds(value, named: item.name, location: location)
        case "query_timeout":
            configuration.timeouts.call = try seconds(value, named: item.name, location: location)
        case "statement_timeout":
            configuration.timeouts.statement = try seconds(value, named: item.name, location: location)
        case "lock_timeout":
            configuration.timeouts.lock = try seconds(value, named: item.name, location: location)
        case "idle_in_transaction_timeout":
            configuration.timeouts.idleInTransaction = try seconds(value, named: item.name, location: location)
        case "keepalive":
            configuration.timeouts.keepAlive = try seconds(value, named: item.name, location: location)
        case "pool_max":
            guard let count = Int(value), count > 0 else {
                throw .invalidLocation(location, reason: "pool_max must be a positive number of connections")
            }
            configuration.maximumConnections = count
        default:
            throw .invalidLocation(location, reason: "unknown parameter '\(item.name)' (known: \(knownParameters))")
        }
    }

    private static let knownParameters = "sslmode, schema, connect_timeout, pool_max, query_timeout, statement_timeout, "
        + "lock_timeout, idle_in_transaction_timeout, keepalive"

    /// A duration parameter: a number of seconds, fractions allowed, from 1 ms to one day, so
    /// every later conversion (to milliseconds for the server, to nanoseconds for NIO) is in range.
    private static func seconds(_ value: String, named name: String, location: String) throws(CatalogError) -> Duration {
        guard let seconds = Double(value), seconds.isFinite, seconds >= 0.001, seconds <= 86_400 else {
            throw .invalidLocation(location, reason: "\(name) must be a number of seconds from 0.001 to 86400")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// The text with any password replaced, so errors about a bad URL never echo a secret.
    static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"),
              let at = text[schemeEnd.upperBound...].lastIndex(of: "@"),
              let colon = text[schemeEnd.upperBound..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }
}
