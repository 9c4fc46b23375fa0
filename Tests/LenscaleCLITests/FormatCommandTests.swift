import Foundation
import Testing
import TestSupport

/// A folder holding the coffee photo as HEIC, AVIF, JPEG XL, GIF, TIFF and BMP, through
/// `lenscale classify`, `ingest` and `batch`: the folder walks find every one by its extension
/// and each is labelled espresso.
@Suite(.serialized) struct FormatCommandTests {
    static let files = ["formats/coffee.png.heic": "coffee.heic", "formats/coffee.png.avif": "coffee.avif",
                        "formats/coffee.png.jxl": "coffee.jxl", "still.gif": "coffee.gif", "lzw.tiff": "coffee.tif",
                        "bmp24.bmp": "coffee.bmp"]

    struct Record: Decodable {
        struct Label: Decodable { let index: Int }
        let path: String
        let labels: [Label]
    }

    @Test func everyFormatThroughClassifyIngestAndBatch() async throws {
        let folder = try Scratch(Dictionary(uniqueKeysWithValues: try Self.files.map { ($0.value, try bytes(of: TestPaths.fixture($0.key))) }))
        defer { folder.remove() }

        let classify = try await CLI.run(["classify", folder.directory.path, "--format", "jsonl"])
        #expect(classify.status == 0, "\(classify.stderr)")
        let records = try classify.stdout.split(separator: "\n").map { try JSONDecoder().decode(Record.self, from: Data($0.utf8)) }
        #expect(Set(records.map { URL(fileURLWithPath: $0.path).lastPathComponent }) == Set(Self.files.values))
        #expect(records.allSatisfy { $0.labels.first?.index == 967 }, "\(records.map { "\($0.path) \($0.labels.first?.index ?? -1)" })")

        let data = try Scratch()
        defer { data.remove() }
        let ingest = try await CLI.run(["ingest", folder.directory.path, "--data", data.directory.path, "--format", "jsonl"])
        #expect(ingest.status == 0 && ingest.stderr.contains("6 new, 0 exact duplicates, 0 failed"), "\(ingest.stderr)")

        let out = data.directory.appendingPathComponent("batch-out")
        let batch = try await CLI.run(["batch", folder.directory.path, "--out", out.path])
        #expect(batch.status == 0 && batch.stderr.contains("6 labelled, 0 duplicates, 0 failed"), "\(batch.stderr)")
    }
}
