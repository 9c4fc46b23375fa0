import Foundation
import Testing
import TestSupport

@Suite("lenscale serve and lenscale keys")
struct ServeCommandTests {
    @Test("--insecure-no-auth off loopback is refused with a message and a non-zero exit")
    func insecureRefused() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try await CLI.run(["serve", "--insecure-no-auth", "--host", "0.0.0.0", "--port", "0", "--data", scratch.path("data")])
        #expect(result.status != 0)
        #expect(!result.crashed)
        #expect(result.stderr.contains("local development only"), "\(result.stderr)")
    }

    @Test("a malformed configuration file names the line and the key")
    func badConfiguration() async throws {
        let scratch = try Scratch(["serve.yaml": Array("listen:\n  port: 80\n  hots: x\n".utf8)])
        defer { scratch.remove() }
        let result = try await CLI.run(["serve", "--config", scratch.path("serve.yaml")])
        #expect(result.status != 0)
        #expect(result.stderr.contains("line 3"), "\(result.stderr)")
        #expect(result.stderr.contains("listen.hots"), "\(result.stderr)")
    }

    @Test("keys create prints a key once, list shows it without its secret, revoke marks it")
    func keysLifecycle() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let data = scratch.path("data")
        let created = try await CLI.run(["keys", "create", "--scope", "read,classify", "--name", "ci", "--data", data])
        #expect(created.status == 0, "\(created.stderr)")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("lsk_"))
        let id = String(token.split(separator: "_")[1])

        let listed = try await CLI.run(["keys", "list", "--data", data])
        #expect(listed.stdout.contains(id))
        #expect(listed.stdout.contains("classify,read"))
        #expect(!listed.stdout.contains(String(token.split(separator: "_")[2])), "list printed the secret")

        let revoked = try await CLI.run(["keys", "revoke", token, "--data", data])
        #expect(revoked.status == 0)
        let after = try await CLI.run(["keys", "list", "--data", data])
        let row = try #require(after.stdout.split(separator: "\n").first { $0.hasPrefix(id) }, "the revoked key is not listed: \(after.stdout)")
        #expect(!row.hasSuffix("-"), "the revoked key has no revocation time: \(row)")

        let unknownScope = try await CLI.run(["keys", "create", "--scope", "reed", "--data", data])
        #expect(unknownScope.status != 0)
        #expect(unknownScope.stderr.contains("unknown scope 'reed'"))
        let unknownKey = try await CLI.run(["keys", "revoke", "ffffffffffffffff", "--data", data])
        #expect(unknownKey.status != 0)
        #expect(unknownKey.stderr.contains("no API key"))
    }

    @Test("lenscale worker registers the heavy moderation stage with --policy, and a missing policy is an error")
    func workerWithPolicy() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let missing = try await CLI.run(["worker", "--data", scratch.path("data"), "--policy", scratch.path("none.yaml"), "--exit-when-idle"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("none.yaml"), "\(missing.stderr)")
        let policy = TestPaths.repositoryRoot.appendingPathComponent("config/moderation-policy.yaml").path
        let running = try await CLI.run(["worker", "--data", scratch.path("data"), "--policy", policy, "--exit-when-idle"])
        #expect(running.status == 0, "\(running.stderr)")
        #expect(running.stderr.contains("moderation.heavy"), "\(running.stderr)")
    }
}
