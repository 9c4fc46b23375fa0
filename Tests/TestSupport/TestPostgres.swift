import Foundation

/// The PostgreSQL server tests run against, and throwaway schemas inside it.
///
/// Every test that touches PostgreSQL works in a schema of its own, created here and dropped
/// afterwards, so parallel tests, parallel CI jobs on one server and reruns after a crash never
/// see each other's rows. A schema rather than a database per test because creating one is a
/// catalog insert (milliseconds) where CREATE DATABASE copies a template and serialises on it.
///
/// Schemas are managed with `psql` (installed with the `postgresql` package) because this target
/// links no database driver; the code under test connects with its own.
///
/// There is deliberately no "skip when absent": a missing server fails the tests with the
/// command that starts it.
public enum TestPostgres {
    /// `LENSCALE_TEST_POSTGRES_URL`, or the server `tools/postgres.sh start` sets up.
    public static var url: String {
        let value = ProcessInfo.processInfo.environment["LENSCALE_TEST_POSTGRES_URL"] ?? ""
        return value.isEmpty ? "postgres://lenscale:lenscale@127.0.0.1:5432/lenscale_test" : value
    }

    /// A schema name no other test, run or machine sharing the server will pick.
    public static func uniqueSchemaName(_ label: String = "t") -> String {
        let cleaned = label.lowercased().unicodeScalars.map { ("a"..."z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "_" }
        let random = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        return "lenscale_test_\(String(cleaned.prefix(20)))_\(random)"
    }

    /// `url` with the catalog's `schema` parameter added.
    public static func url(schema: String) -> String {
        url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"
    }

    /// Runs `body` with a fresh schema and drops it (with everything in it) afterwards, also when
    /// `body` throws. With `create: false` the schema is only named, for tests of code that
    /// creates it; it is still dropped.
    public static func withIsolatedSchema<T>(
        _ label: String = "t", create: Bool = true, _ body: (_ schema: String, _ url: String) async throws -> T
    ) async throws -> T {
        let schema = uniqueSchemaName(label)
        if create { try await createSchema(schema) }
        let result: T
        do {
            result = try await body(schema, url(schema: schema))
        } catch {
            try? await dropSchema(schema)
            throw error
        }
        try await dropSchema(schema)
        return result
    }

    public static func createSchema(_ name: String) async throws {
        _ = try await psql("CREATE SCHEMA \(try identifier(name))")
    }

    public static func dropSchema(_ name: String) async throws {
        _ = try await psql("DROP SCHEMA IF EXISTS \(try identifier(name)) CASCADE")
    }

    /// Runs one SQL command on the test database as the test role; returns unaligned output.
    ///
    /// Under server-side lock and statement limits: a `DROP SCHEMA` that waits on a lock some
    /// test left held fails with that reason instead of waiting for ever.
    @discardableResult
    public static func psql(_ sql: String) async throws -> String {
        guard let psql = psqlExecutable else {
            throw TestPostgresError(message: "psql not found; install PostgreSQL with `bash tools/setup.sh`")
        }
        let result = try await runProcess(
            psql, ["--no-psqlrc", "--quiet", "--tuples-only", "--no-align", "-v", "ON_ERROR_STOP=1", "--dbname", url, "--command", sql],
            environment: ["PGCONNECT_TIMEOUT": "10", "PGOPTIONS": "-c lock_timeout=60s -c statement_timeout=120s"],
            limit: .seconds(180))
        guard result.status == 0 else {
            throw TestPostgresError(message: """
                psql against the test PostgreSQL at \(redactedURL) failed (\(result.status)): \
                \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)). \
                Start the server with `sudo tools/postgres.sh start`, or point LENSCALE_TEST_POSTGRES_URL at one
                """)
        }
        return result.stdout
    }

    /// `url` without its password, for messages.
    public static var redactedURL: String {
        guard let components = URLComponents(string: url), components.password != nil else { return url }
        var copy = components
        copy.password = "***"
        return copy.string ?? url
    }

    static var psqlExecutable: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/psql" }
            + ["/usr/bin/psql", "/usr/lib/postgresql/15/bin/psql", "/usr/local/bin/psql", "/opt/homebrew/bin/psql"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }.map { URL(fileURLWithPath: $0) }
    }

    /// Schema names are spliced into SQL, so only plain lowercase identifiers are accepted.
    static func identifier(_ name: String) throws -> String {
        let allowed = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
        guard allowed, let first = name.unicodeScalars.first, !("0"..."9").contains(first), name.count <= 63 else {
            throw TestPostgresError(message: "'\(name)' is not a plain lowercase SQL identifier")
        }
        return name
    }
}

/// A test-environment failure, worded as what to do about it.
public struct TestPostgresError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
