import Catalog
import Foundation
import Testing
import TestSupport

/// A server that is down or refuses us must fail fast with a message that says how to fix it,
/// not hang in the pool's retry loop.
@Suite("PostgreSQL reachability")
struct PostgresReachabilityTests {
    @Test("a URL where nothing listens fails at once with unreachable and the start command")
    func nothingListening() async throws {
        // PostgresNIO's pool alone would retry for 60 s and then report a timeout; a refusal that
        // is reported as such (not as a timeout) is what "at once" means, whatever the machine's speed.
        let error = await #expect(throws: CatalogError.self) {
            try await withCatalog("postgres://lenscale:secret@127.0.0.1:1/lenscale_test") { _ in }
        }
        guard case .unreachable(let url, let reason)? = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
        #expect(url == "postgres://lenscale:***@127.0.0.1:1/lenscale_test")
        #expect(!reason.isEmpty)
        let message = try #require(error).description
        #expect(message.contains("sudo tools/postgres.sh start"))
        #expect(!message.contains("secret"))
        #expect(reason.lowercased().contains("refused"), "\(reason)")
    }

    @Test("a wrong password is reported as unreachable with the server's reason")
    func wrongPassword() async throws {
        var components = try #require(URLComponents(string: TestPostgres.url))
        components.password = "definitely-wrong"
        let error = await #expect(throws: CatalogError.self) {
            try await withCatalog(try #require(components.string)) { _ in }
        }
        guard case .unreachable(_, let reason)? = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("password authentication failed"))
    }

    @Test("the test server is running; start it with `sudo tools/postgres.sh start`")
    func testServerIsUp() async throws {
        let output = try await TestPostgres.psql("SELECT current_setting('server_version_num')::int >= 150000")
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "t")
    }
}
