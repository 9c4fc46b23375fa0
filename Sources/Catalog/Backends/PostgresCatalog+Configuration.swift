extension PostgresCatalog {
    /// How to reach the scale-out catalog; usually parsed from a URL by `CatalogLocation`.
    public struct Configuration: Sendable, Equatable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
        /// The schema holding Lenscale's tables (created by `migrate()` when missing), or nil for
        /// the role's default search path. Lets several catalogs, such as parallel test runs,
        /// share one database without seeing each other.
        public var schema: String?
        public var tls: TLSMode
        /// Pool size per catalog; each ingest worker holds at most this many server connections.
        public var maximumConnections: Int
        /// How long opening a connection may take before the server counts as unreachable.
        public var connectTimeout: Duration

        public init(
            host: String = "127.0.0.1", port: Int = 5432, username: String, password: String? = nil,
            database: String, schema: String? = nil, tls: TLSMode = .prefer, maximumConnections: Int = 10,
            connectTimeout: Duration = .seconds(10)
        ) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
            self.schema = schema
            self.tls = tls
            self.maximumConnections = maximumConnections
            self.connectTimeout = connectTimeout
        }

        /// The URL without its password, for logs and error messages.
        public var description: String {
            let credentials = password == nil ? username : "\(username):***"
            var query: [String] = []
            if let schema { query.append("schema=\(schema)") }
            if tls != .prefer { query.append("sslmode=\(tls.rawValue)") }
            let suffix = query.isEmpty ? "" : "?" + query.joined(separator: "&")
            let hostPart = host.contains(":") ? "[\(host)]" : host
            return "postgres://\(credentials)@\(hostPart):\(port)/\(database)\(suffix)"
        }
    }

    /// libpq's `sslmode` values, with libpq's meaning, so URLs behave as people who know
    /// PostgreSQL expect: `prefer` and `require` encrypt without checking the certificate,
    /// `verify-ca` checks the chain, `verify-full` also the host name.
    public enum TLSMode: String, Sendable, Equatable, Hashable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }
}
