import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct IngestCommandTests {
    struct Line: Decodable {
        struct Label: Decodable { let index: Int; let name: String; let score: Double }
        let path: String
        let sha256: String?
        let status: String
        let error: String?
        let labels: [Label]
    }

    struct Report: Decodable {
        struct Near: Decodable { let sha256: String; let distance: Int }
        struct Similar: Decodable { let sha256: String; let score: Double }
        let sha256: String
        let exact: [String]
        let near: [Near]
        let similar: [Similar]
    }

    func lines(_ stdout: String) throws -> [Line] {
        try stdout.split(separator: "\n").map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
    }

    @Test func ingestThenFindTheTiers() async throws {
        let data = try Scratch()
        defer { data.remove() }
        let first = try await CLI.run(["ingest", TestPaths.sharedImages.path, "--data", data.directory.path, "--format", "jsonl"])
        #expect(first.status == 0, "\(first.stderr)")
        let ingested = try lines(first.stdout)
        #expect(ingested.count == 23 && ingested.allSatisfy { $0.status == "new" && $0.labels.count == 5 })
        #expect(first.stderr.contains("23 new, 0 exact duplicates, 0 failed"))
        #expect(first.stdout.split(separator: "\n").allSatisfy { $0.contains("\"error\":null") }, "every record has an error key")

        let again = try await CLI.run(["ingest", TestPaths.sharedImage("coffee.png").path, "--data", data.directory.path, "--format", "table"])
        let coffee = try #require(ingested.first { $0.path.hasSuffix("coffee.png") }?.sha256)
        #expect(again.status == 0 && again.stdout.contains("exact duplicate of \(coffee)"), "\(again.stdout)")

        let dupes = try await CLI.run(["dupes", TestPaths.fixture("lossy.webp").path, "--data", data.directory.path, "--format", "json"])
        #expect(dupes.status == 0, "\(dupes.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(dupes.stdout.utf8))
        #expect(report.exact.isEmpty && report.near.map(\.sha256) == [coffee])
        #expect(!report.similar.contains { $0.sha256 == coffee }, "tiers are disjoint")

        let exact = try await CLI.run(["dupes", TestPaths.sharedImage("coffee.png").path, "--data", data.directory.path, "--format", "json"])
        #expect(try JSONDecoder().decode(Report.self, from: Data(exact.stdout.utf8)).exact == [coffee])

        let similar = try await CLI.run(["similar", coffee, "--k", "3", "--data", data.directory.path, "--format", "jsonl"])
        #expect(similar.status == 0)
        #expect(similar.stdout.split(separator: "\n").count == 3)
        #expect(!similar.stdout.contains(coffee), "the query is not its own neighbour")
    }

    @Test func indexBuildReducesTheVectors() async throws {
        let data = try Scratch()
        defer { data.remove() }
        _ = try await CLI.run(["ingest", TestPaths.sharedImages.path, "--data", data.directory.path, "--format", "jsonl"])
        let build = try await CLI.run(["index", "build", "--dims", "8", "--dtype", "float16", "--data", data.directory.path])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stdout.contains("bytes per image: 16 (was 5120 as float32)"), "\(build.stdout)")
        let similar = try await CLI.run(["similar", TestPaths.fixture("progressive.jpg").path, "--k", "1", "--data", data.directory.path, "--format", "jsonl"])
        #expect(similar.status == 0 && similar.stdout.split(separator: "\n").count == 1)
        let tooMany = try await CLI.run(["index", "build", "--dims", "5000", "--data", data.directory.path])
        #expect(tooMany.status != 0 && tooMany.stderr.contains("--dims must be between"), "\(tooMany.stderr)")
    }

    @Test func badQueriesAndFilesFailCleanly() async throws {
        let data = try Scratch(["text.jpg": BadInputs.text])
        defer { data.remove() }
        let bad = try await CLI.run(["ingest", data.path("text.jpg"), "--data", data.directory.appendingPathComponent("d").path, "--format", "jsonl"])
        #expect(bad.status == 1 && !bad.crashed)
        #expect(try lines(bad.stdout).first?.status == "error")
        #expect(bad.stderr.contains("text.jpg: not an image"))
        let unknown = try await CLI.run(["dupes", String(repeating: "ab", count: 32), "--data", data.directory.appendingPathComponent("d").path])
        #expect(unknown.status != 0 && unknown.stderr.contains("no image with SHA-256"), "\(unknown.stderr)")
        let garbage = try await CLI.run(["similar", "neither-file-nor-hash", "--data", data.directory.appendingPathComponent("d").path])
        #expect(garbage.status != 0 && garbage.stderr.contains("neither a file nor a 64-digit SHA-256"), "\(garbage.stderr)")
        let badStore = try await CLI.run(["ingest", TestPaths.sharedImage("coffee.png").path, "--store", "ftp://nowhere", "--data", data.directory.path])
        #expect(badStore.status != 0 && badStore.stderr.contains("unsupported store scheme"), "\(badStore.stderr)")
    }

    /// The scale-out configuration end to end: the catalog in PostgreSQL.
    @Test func ingestIntoPostgreSQL() async throws {
        try await TestPostgres.withIsolatedSchema("cli") { schema, url in
        let data = try Scratch()
        defer { data.remove() }
        let photos = ["chelsea.png", "coffee.png", "rocket.jpg"].map { TestPaths.sharedImage($0).path }
        let first = try await CLI.run(["ingest"] + photos + ["--catalog", url, "--data", data.directory.path, "--format", "jsonl"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try lines(first.stdout).allSatisfy { $0.status == "new" })
        let second = try await CLI.run(["ingest", photos[0], "--catalog", url, "--data", data.directory.path, "--format", "jsonl"])
        #expect(try lines(second.stdout).first?.status == "duplicate")
        #expect(try await TestPostgres.psql("SELECT count(*) FROM \(schema).images").trimmingCharacters(in: .whitespacesAndNewlines) == "3")
        }
    }
}

@Suite struct MaintenanceCommandTests {
    @Test func indexRebuildRestoresDeletedIndexes() async throws {
        let data = try Scratch()
        defer { data.remove() }
        let photos = ["chelsea.png", "coffee.png", "egret.jpg"].map { TestPaths.sharedImage($0).path }
        #expect(try await CLI.run(["ingest"] + photos + ["--data", data.directory.path]).status == 0)
        let index = data.directory.appendingPathComponent("index")
        for file in try FileManager.default.contentsOfDirectory(atPath: index.path) {
            try FileManager.default.removeItem(at: index.appendingPathComponent(file))
        }
        let rebuild = try await CLI.run(["index", "rebuild", "--data", data.directory.path])
        #expect(rebuild.status == 0 && rebuild.stdout.contains("rebuilt the indexes over 3 images"), "\(rebuild.stdout)\(rebuild.stderr)")
        #expect(FileManager.default.fileExists(atPath: index.appendingPathComponent("phash.index").path))
    }

    @Test func planPrintsTheBriefsFigures() async throws {
        let plan = try await CLI.run(["plan", "--images", "1e9", "--average-size", "200KB", "--requests-per-second", "10000",
                                "--hit-ratio", "0.9", "--images-per-second", "110"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("200 TB") && plan.stdout.contains("2.05 TB") && plan.stdout.contains("6.14 TB"))
        #expect(plan.stdout.contains("online nodes             13"), "\(plan.stdout)")
    }

    @Test func planRejectsBadInputs() async throws {
        let cases: [([String], String)] = [
            (["--images", "lots", "--average-size", "1KB", "--images-per-second", "1"], "is not a number"),
            (["--images", "10", "--average-size", "big", "--images-per-second", "1"], "is not a size"),
            (["--images", "10", "--average-size", "1KB", "--images-per-second", "1", "--hit-ratio", "2"], "hit ratio"),
            (["--images", "10", "--average-size", "1KB"], "--images-per-second or --throughput-file"),
            (["--images", "10", "--average-size", "1KB", "--throughput-file", "/nonexistent.json"], "not a benchmark result"),
            (["--images", "10", "--average-size", "1KB", "--images-per-second", "10", "--requests-per-second", "5",
              "--latency-ms", "50"], "cannot meet a p99"),
        ]
        for (arguments, message) in cases {
            let result = try await CLI.run(["plan"] + arguments)
            #expect(result.status != 0 && !result.crashed, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
