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
        /// The limits every call and session runs under, so no stalled server, lock or dead
        /// connection can hold a caller for good.
        public var timeouts: Timeouts

        public init(
            host: String = "127.0.0.1", port: Int = 5432, username: String, password: String? = nil,
            database: String, schema: String? = nil, tls: TLSMode = .prefer, maximumConnections: Int = 10,
            connectTimeout: Duration = .seconds(10), timeouts: Timeouts = Timeouts()
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
            self.timeouts = timeouts
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

    /// Client- and server-side limits, each a URL parameter in seconds
    /// (`?query_timeout=30&statement_timeout=20&lock_timeout=5&idle_in_transaction_timeout=30&keepalive=10`,
    /// the defaults; `config/database.md` explains them).
    ///
    /// Why both sides: the server-side limits free the server's locks and backends when a client
    /// stalls, but only a client-side deadline frees the client when the server (or the path to
    /// it) is what stalled: a paused server answers nothing, not even a timeout.
    public struct Timeouts: Sendable, Equatable, Hashable {
        /// The client-side deadline on one call (leasing a connection plus every statement of the
        /// call, or of the transaction): on expiry the connection is closed and the call fails with
        /// `CatalogError.timedOut`. Longer than `statement` so a server-side timeout, which leaves
        /// the connection usable, normally fires first.
        public var call: Duration = .seconds(30)
        /// `statement_timeout`: the server cancels any one statement running longer.
        public var statement: Duration = .seconds(20)
        /// `lock_timeout`: the server fails a statement that waits longer for a row, table or
        /// advisory lock, so one stalled transaction cannot queue every worker behind it.
        public var lock: Duration = .seconds(5)
        /// `idle_in_transaction_session_timeout`: the server ends a session that sits idle inside
        /// a transaction (its client died or stalled), releasing its locks.
        public var idleInTransaction: Duration = .seconds(30)
        /// TCP keep-alive idle time on the server's side of each connection, and the interval at
        /// which the job queue's LISTEN connection pings the server; a dead peer is noticed within
        /// a few of these.
        public var keepAlive: Duration = .seconds(10)

        public init() {}

        /// The limit for work that legitimately runs long (migrations, full-table scans).
        public var long: Duration { max(call, .seconds(600)) }
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
