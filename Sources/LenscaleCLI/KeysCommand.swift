import ArgumentParser
import Catalog
import Foundation
import Keys
import Serving

/// `lenscale keys create|revoke|list`: the API keys `lenscale serve` accepts.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, Revoke.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print it once; only its digest is stored.")

        @Option(help: "What the key may do; repeat or comma-separate: classify, read, ingest, review, admin.")
        var scope: [String] = []

        @Option(help: "A name for humans (who or what uses the key).")
        var name = "default"

        @OptionGroup var workspace: WorkspaceOptions

        func run() async throws {
            let scopes: Set<Scope>
            let key: APIKey, token: String
            do {
                scopes = try Scope.parseList(scope.joined(separator: " "))
                (key, token) = try APIKey.generate(name: name, scopes: scopes)
            } catch {
                throw CLIError("\(error)")
            }
            try await KeysCommand.withStore(workspace) { store in try await store.insert(key) }
            print(token)
            Terminal.error("lenscale keys: created \(key.id) (\(key.scopes.map(\.rawValue).sorted().joined(separator: ", "))); it is shown only now\n")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id (the part after lsk_); servers stop accepting it within seconds.")

        @Argument(help: "The key id, or the whole key.")
        var id: String

        @OptionGroup var workspace: WorkspaceOptions

        func run() async throws {
            let keyID = (try? APIKey.parse(token: id).id) ?? id
            try await KeysCommand.withStore(workspace) { store in try await store.revoke(id: keyID) }
            print("revoked \(keyID)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (ids, names, scopes; never secrets).")

        @OptionGroup var workspace: WorkspaceOptions

        func run() async throws {
            let keys = try await KeysCommand.withStore(workspace) { store in try await store.list() }
            var table = TextTable(columns: ["ID", "NAME", "SCOPES", "CREATED", "REVOKED"])
            let format = ISO8601DateFormatter()
            for key in keys {
                table.append([key.id, key.name, key.scopes.map(\.rawValue).sorted().joined(separator: ","),
                           format.string(from: key.createdAt), key.revokedAt.map { format.string(from: $0) } ?? "-"])
            }
            print(table.render(), terminator: "")
        }
    }

    static func withStore<T: Sendable>(_ options: WorkspaceOptions, _ body: (any APIKeyStore) async throws -> T) async throws -> T {
        do {
            try FileManager.default.createDirectory(at: options.location.dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw CLIError("\(error)")
        }
        return try await CLIScope.catalog(options.location.catalogLocation) { catalog in
            try await body(try APIKeyStores.open(on: catalog))
        }
    }
}
