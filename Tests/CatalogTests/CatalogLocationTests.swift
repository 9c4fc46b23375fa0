@testable import Catalog
import Testing

@Suite("Catalog locations")
struct CatalogLocationTests {
    @Test("paths and sqlite:// URLs select SQLite", arguments: [
        ("/var/lib/lenscale/catalog.sqlite", "/var/lib/lenscale/catalog.sqlite"),
        ("sqlite:///var/lib/lenscale/catalog.sqlite", "/var/lib/lenscale/catalog.sqlite"),
        ("relative/catalog.db", "relative/catalog.db"),
        ("SQLITE://data/c.db", "data/c.db"),
    ])
    func sqlitePaths(text: String, path: String) throws {
        #expect(try CatalogLocation(parsing: text) == .sqlite(.init(path: path)))
    }

    @Test("a full PostgreSQL URL sets every field")
    func fullPostgresURL() throws {
        let location = try CatalogLocation(parsing:
            "postgresql://ingest:p%40ss%3Aw0rd@db.internal:6543/photos?sslmode=require&schema=lenscale&connect_timeout=3&pool_max=7")
        let expected = PostgresCatalog.Configuration(
            host: "db.internal", port: 6543, username: "ingest", password: "p@ss:w0rd", database: "photos",
            schema: "lenscale", tls: .require, maximumConnections: 7, connectTimeout: .seconds(3))
        #expect(location == .postgres(expected))
        #expect(location.description == "postgres://ingest:***@db.internal:6543/photos?schema=lenscale&sslmode=require")
    }

    @Test("the PostgreSQL limits are URL parameters in seconds")
    func timeoutParameters() throws {
        let location = try CatalogLocation(parsing:
            "postgres://u@h/db?query_timeout=12.5&statement_timeout=9&lock_timeout=0.25&idle_in_transaction_timeout=40&keepalive=3")
        guard case .postgres(let configuration) = location else { Issue.record("not PostgreSQL"); return }
        #expect(configuration.timeouts.call == .milliseconds(12_500))
        #expect(configuration.timeouts.statement == .seconds(9))
        #expect(configuration.timeouts.lock == .milliseconds(250))
        #expect(configuration.timeouts.idleInTransaction == .seconds(40))
        #expect(configuration.timeouts.keepAlive == .seconds(3))
        #expect(configuration.timeouts != PostgresCatalog.Timeouts())
    }

    @Test("out-of-range durations are refused, never converted", arguments: [
        "connect_timeout=0", "query_timeout=-1", "statement_timeout=1e300", "lock_timeout=NaN", "keepalive=inf",
        "idle_in_transaction_timeout=9223372036854775808", "query_timeout=abc", "query_timeout=",
    ])
    func badDurations(parameter: String) {
        #expect {
            _ = try CatalogLocation(parsing: "postgres://u@h/db?\(parameter)")
        } throws: { error in
            guard case .invalidLocation(_, let reason) = error as? CatalogError else { return false }
            return reason.contains("must be a number of seconds")
        }
    }

    @Test("PostgreSQL defaults follow libpq: port 5432, database named after the user, sslmode prefer")
    func postgresDefaults() throws {
        let location = try CatalogLocation(parsing: "postgres://lenscale@localhost")
        #expect(location == .postgres(.init(host: "localhost", username: "lenscale", database: "lenscale")))
    }

    @Test("unusable locations are refused with the reason", arguments: [
        ("", "empty"),
        ("mysql://u:p@h/db", "unsupported scheme"),
        ("postgres://h/db", "names no user"),
        ("postgres://u:p@h/db?sslmode=maybe", "sslmode"),
        ("postgres://u:p@h/db?schema=Bad-Name", "schema"),
        ("postgres://u:p@h/db?search_path=x", "unknown parameter 'search_path'"),
        ("postgres://u:p@h/db/extra", "just the database name"),
        ("sqlite://", "path is empty"),
        (":memory:", "WAL"),
    ])
    func invalidLocations(text: String, reason: String) {
        #expect {
            _ = try CatalogLocation(parsing: text)
        } throws: { error in
            guard case .invalidLocation(_, let actual) = error as? CatalogError else { return false }
            return actual.contains(reason)
        }
    }

    @Test("errors about a bad URL never repeat its password")
    func passwordIsRedacted() {
        #expect(CatalogLocation.redacted("postgres://u:hunter2@h/db?x=1") == "postgres://u:***@h/db?x=1")
        #expect(CatalogLocation.redacted("postgres://u@h:5432/db") == "postgres://u@h:5432/db")
    }
}
