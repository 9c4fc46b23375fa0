import Foundation
import Testing
import TestSupport

@Suite struct ClassifyCommandTests {
    struct Record: Decodable {
        struct Label: Decodable { let index: Int; let name: String; let score: Double }
        let path: String
        let sha256: String
        let model: String
        let model_version: String
        let labels: [Label]
    }

    func records(_ stdout: String) throws -> [Record] {
        try stdout.split(separator: "\n").map { try JSONDecoder().decode(Record.self, from: Data($0.utf8)) }
    }

    @Test func classifiesAFolderAsJSONL() async throws {
        let result = try await CLI.run(["classify", TestPaths.sharedImages.path, "--format", "jsonl", "--top", "3", "--batch", "8"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try records(result.stdout)
        #expect(lines.count == 23)
        #expect(lines.allSatisfy { $0.labels.count == 3 && $0.model == "efficientnet-lite0" && $0.sha256.count == 64 })
        let cat = try #require(lines.first { $0.path.hasSuffix("chelsea.png") })
        #expect([281, 282, 285].contains(cat.labels[0].index))
        #expect(cat.labels[0].score > cat.labels[1].score)
        #expect(result.stderr.contains("classified 23 of 23 images"))
    }

    @Test func otherFormatsCarryTheSameFields() async throws {
        let photo = TestPaths.sharedImage("chelsea.png").path
        let json = try await CLI.run(["classify", photo, "--format", "json"])
        #expect(json.status == 0)
        let decoded = try JSONDecoder().decode([Record].self, from: Data(json.stdout.utf8))
        #expect(decoded.count == 1 && decoded[0].labels.count == 5)
        let csv = try await CLI.run(["classify", photo, "--format", "csv", "--top", "2"])
        let rows = csv.stdout.split(separator: "\n")
        #expect(rows.first == "path,sha256,model,model_version,rank,index,name,score")
        #expect(rows.count == 3)
        #expect(rows[1].contains(decoded[0].sha256) && rows[1].contains(decoded[0].model_version))
        let table = try await CLI.run(["classify", photo, "--format", "table", "--top", "2"])
        #expect(table.stdout.contains(decoded[0].labels[0].name) && table.stdout.contains(String(decoded[0].sha256.prefix(12))))
    }

    @Test func lite2IsSelectable() async throws {
        let result = try await CLI.run(["classify", TestPaths.sharedImage("coffee.png").path, "--model", "efficientnet-lite2", "--format", "jsonl"])
        #expect(result.status == 0)
        let record = try #require(try records(result.stdout).first)
        #expect(record.model == "efficientnet-lite2" && record.labels[0].index == 967)
    }

    /// Every bad input: a clear message naming the file, a non-zero exit, never a crash.
    @Test func badInputsFailCleanly() async throws {
        let photo = try bytes(of: TestPaths.sharedImage("china.jpg"))
        let scratch = try Scratch([
            "empty.jpg": [],
            "truncated-header.jpg": Array(photo.prefix(12)),
            "random.bin": BadInputs.randomBytes(count: 2048),
            "text.jpg": BadInputs.text,
            "bomb.png": BadInputs.pngHeader(width: 100_000, height: 100_000),
            "bomb.jpg": BadInputs.jpegHeader(width: 65_000, height: 65_000),
            "overflow.png": BadInputs.pngHeader(width: .max, height: .max),
            "frameless.gif": BadInputs.gif,
            "photo.jp2": BadInputs.jpeg2000,
        ])
        defer { scratch.remove() }
        let expectations: [(String, String)] = [
            ("empty.jpg", "empty"), ("truncated-header.jpg", "truncated"), ("random.bin", "not an image"),
            ("text.jpg", "not an image"), ("bomb.png", "over the limit"), ("bomb.jpg", "over the limit"),
            ("overflow.png", "over the limit"), ("frameless.gif", "the GIF data is corrupt"),
            ("photo.jp2", "unsupported image format JPEG 2000"),
        ]
        for (file, message) in expectations {
            let result = try await CLI.run(["classify", scratch.path(file), "--format", "jsonl"])
            #expect(!result.crashed, "\(file) crashed the CLI")
            #expect(result.status == 1, "\(file): exit \(result.status)")
            #expect(result.stdout.isEmpty, "\(file) printed a record")
            #expect(result.stderr.contains(scratch.path(file)) && result.stderr.contains(message), "\(file): \(result.stderr)")
        }
        let missing = try await CLI.run(["classify", scratch.path("nope.jpg")])
        #expect(missing.status == 1 && missing.stderr.contains("no such file or directory"))
        let emptyFolder = try Scratch()
        defer { emptyFolder.remove() }
        let none = try await CLI.run(["classify", emptyFolder.directory.path])
        #expect(none.status != 0 && none.stderr.contains("no images"))
    }

    @Test("every file of the malformed-header generator gets a record or a message naming it, and the CLI never crashes")
    func malformedHeaders() async throws {
        let cases = try MalformedImages.all
        try #require(cases.count >= 400)
        let scratch = try Scratch()
        defer { scratch.remove() }
        var names: [String] = []
        for (index, item) in cases.enumerated() {
            // The extension of the seed, so the folder walk takes every file.
            let suffix = item.name.split(separator: " ").first.map { $0.split(separator: ".").last.map(String.init) ?? "bin" } ?? "bin"
            let name = "case-\(String(format: "%04d", index)).\(suffix)"
            try Data(item.bytes).write(to: scratch.directory.appendingPathComponent(name))
            names.append(name)
        }
        let result = try await CLI.run(["classify", scratch.directory.path, "--format", "jsonl"])
        #expect(!result.crashed, "the CLI crashed: \(result.stderr.suffix(2000))")
        #expect(result.status == 1, "exit \(result.status)")
        let unanswered = names.filter { !result.stdout.contains($0) && !result.stderr.contains($0) }
        #expect(unanswered.isEmpty, "\(unanswered.count) files got neither a record nor a message: \(unanswered.prefix(10))")
    }

    @Test func goodFilesGoOnPastBadOnes() async throws {
        let scratch = try Scratch(["a-text.jpg": BadInputs.text])
        defer { scratch.remove() }
        try FileManager.default.copyItem(atPath: TestPaths.sharedImage("coffee.png").path, toPath: scratch.path("b-coffee.png"))
        let result = try await CLI.run(["classify", scratch.directory.path, "--format", "jsonl"])
        #expect(result.status == 1)
        #expect(try records(result.stdout).map(\.labels.first?.index) == [967])
        #expect(result.stderr.contains("a-text.jpg: not an image"))
        #expect(result.stderr.contains("classified 1 of 2 images") && result.stderr.contains("1 failed"))
    }

    @Test func limitsAreFlags() async throws {
        let photo = TestPaths.sharedImage("china.jpg").path
        let result = try await CLI.run(["classify", photo, "--max-pixels", "1000"])
        #expect(result.status == 1 && result.stderr.contains("over the limit of 1000"))
        let bytesLimit = try await CLI.run(["classify", photo, "--max-bytes", "100"])
        #expect(bytesLimit.status == 1 && bytesLimit.stderr.contains("over the limit of 100"))
    }

    @Test func missingRuntimeSaysToRunSetup() async throws {
        let result = try await CLI.run(["classify", TestPaths.sharedImage("coffee.png").path],
                                 environment: ["LENSCALE_ORT_LIB": "/nonexistent/libonnxruntime.so"])
        #expect(result.status != 0 && !result.crashed)
        #expect(result.stderr.contains("make setup"), "\(result.stderr)")
    }

    @Test func unknownModelListsTheAvailableOnes() async throws {
        let result = try await CLI.run(["classify", TestPaths.sharedImage("coffee.png").path, "--model", "resnet-9000"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("efficientnet-lite0"), "\(result.stderr)")
    }

    @Test func invalidFlagsAreUsageErrors() async throws {
        let result = try await CLI.run(["classify", TestPaths.sharedImage("coffee.png").path, "--top", "0"])
        #expect(result.status == 64 && result.stderr.contains("--top"))
    }
}
