import Foundation
import Testing
import TestSupport

@Suite struct ModelsCommandTests {
    @Test func listsEveryInstalledModel() async throws {
        let table = try await CLI.run(["models"])
        #expect(table.status == 0)
        for name in ["efficientnet-lite0", "efficientnet-lite1", "efficientnet-lite2", "nudenet-320n"] {
            #expect(table.stdout.contains(name), "\(name) missing from: \(table.stdout)")
        }
        #expect(table.stdout.contains("224×224") && table.stdout.contains("260×260"))
    }

    @Test func jsonCarriesTheManifestFacts() async throws {
        struct Row: Decodable { let name: String; let input_size: Int; let sha256: String; let bytes: Int; let labels: String? }
        let result = try await CLI.run(["models", "--format", "json"])
        let rows = try JSONDecoder().decode([Row].self, from: Data(result.stdout.utf8))
        let lite1 = try #require(rows.first { $0.name == "efficientnet-lite1" })
        #expect(lite1.input_size == 240 && lite1.sha256.count == 64 && lite1.bytes > 10_000_000)
        #expect(lite1.labels.map { FileManager.default.fileExists(atPath: $0) } == true)
    }

    @Test func missingManifestIsAClearError() async throws {
        let result = try await CLI.run(["models", "--models", "/nonexistent"])
        #expect(result.status != 0 && !result.crashed)
        #expect(result.stderr.contains("make setup"), "\(result.stderr)")
    }
}
