import Classification
import Foundation
import Testing
import TestSupport
@testable import BatchPipeline

struct ShardTests {
    @Test func parsesAndRefuses() throws {
        #expect(try Shard(parsing: "2/5") == Shard(index: 2, count: 5))
        #expect(try Shard(parsing: " 0 / 1 ") == .whole)
        for bad in ["5/5", "-1/3", "1", "a/b", "1/0", "1/2/3", ""] {
            #expect(throws: BatchError.self, "\(bad)") { try Shard(parsing: bad) }
        }
    }

    @Test func contentHashesSplitIntoDisjointCoveringShards() throws {
        let hashes = (0..<3000).map { ContentHashHex.of("image \($0)") }
        let shards = try (0..<4).map { try Shard(index: $0, count: 4) }
        for hash in hashes {
            #expect(shards.filter { $0.owns(sha256: hash) }.count == 1)
        }
        // SHA-256 is uniform, so the shares are even (expected 750 each).
        for shard in shards {
            let share = hashes.filter { shard.owns(sha256: $0) }.count
            #expect((600...900).contains(share), "\(shard): \(share)")
        }
    }

    @Test func kubernetesIndexedJobEnvironment() throws {
        #expect(try Shard.fromEnvironment(count: nil, environment: [:]) == nil)
        #expect(try Shard.fromEnvironment(count: 4, environment: ["JOB_COMPLETION_INDEX": "3"]) == Shard(index: 3, count: 4))
        #expect(try Shard.fromEnvironment(count: nil, environment: ["JOB_COMPLETION_INDEX": "1", "LENSCALE_SHARD_COUNT": "2"]) == Shard(index: 1, count: 2))
        #expect(throws: BatchError.self) { try Shard.fromEnvironment(count: nil, environment: ["JOB_COMPLETION_INDEX": "1"]) }
        #expect(throws: BatchError.self) { try Shard.fromEnvironment(count: 2, environment: ["JOB_COMPLETION_INDEX": "2"]) }
        #expect(throws: BatchError.self) { try Shard.fromEnvironment(count: 2, environment: [:]) }
    }
}

struct ManifestTests {
    @Test func csvWithQuotesCommasAndCRLF() throws {
        let rows = CSVRows.parse("id,path\r\n1,\"a, b.jpg\"\r\n2,\"say \"\"hi\"\".jpg\"\r\n3,plain.jpg")
        #expect(rows == [["id", "path"], ["1", "a, b.jpg"], ["2", "say \"hi\".jpg"], ["3", "plain.jpg"]])
    }

    @Test func plainListsSkipCommentsAndBlankLines() {
        #expect(ManifestReader.plainEntries("# header\n\na.jpg\n  b/c.png  \n#x\n") == ["a.jpg", "b/c.png"])
    }

    @Test func contentAddressedNamesStateTheirHash() {
        let hash = String(repeating: "ab", count: 32)
        #expect(BatchItem(name: "x/\(hash)", location: .object(key: "x/\(hash)")).statedSHA256 == hash)
        #expect(BatchItem(name: "\(hash).jpg", location: .file(path: "\(hash).jpg")).statedSHA256 == hash)
        #expect(BatchItem(name: "photo.jpg", location: .file(path: "photo.jpg")).statedSHA256 == nil)
    }
}

struct OutputTests {
    func description(dims: Int = 4) -> BatchOutput.RunDescription {
        .init(model: "m", model_version: "1", format: .jsonl, embedding_dtype: .float32, embedding_dims: dims, shard: "0/1", top: 5)
    }

    func outcome(_ name: String, _ sha: String, value: Float) -> BatchOutcome {
        let header = ImageHeaderStub.header
        return BatchOutcome(name: name, sha256: sha, kind: .classified(
            labels: [.init(index: 1, name: "one", score: 0.5)], embedding: [value, value, value, value],
            image: ImageFacts(bytes: 10, header: header, codes: nil)))
    }

    @Test func npyHeaderIsFixedLengthAndAligned() {
        for rows in [0, 7, 123_456_789_012] {
            let header = NPYHeader.bytes(rows: rows, columns: 1280, dtype: .float16)
            #expect(header.count == NPYHeader.length && header.count % 64 == 0)
            #expect(header.last == UInt8(ascii: "\n"))
            #expect(String(decoding: header.dropFirst(10), as: UTF8.self).contains("'shape': (\(rows), 1280)"))
        }
    }

    @Test func resumeCutsBackToTheLastCheckpoint() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let output = try BatchOutput(directory: directory, description: description())
            _ = try output.resume()
            try output.append([outcome("a", "aa", value: 1), outcome("b", "bb", value: 2)])
        }
        // A batch written but not checkpointed, as a kill would leave it.
        let labels = directory.appendingPathComponent("labels.jsonl")
        let handle = try FileHandle(forWritingTo: labels)
        handle.seekToEndOfFile()
        handle.write(Data("{\"path\":\"c\", \"half a line".utf8))
        try handle.close()
        let npy = try FileHandle(forWritingTo: directory.appendingPathComponent("embeddings.npy"))
        npy.seekToEndOfFile()
        npy.write(Data(count: 16))
        try npy.close()
        let checkpoint = try FileHandle(forWritingTo: directory.appendingPathComponent("checkpoint.jsonl"))
        checkpoint.seekToEndOfFile()
        checkpoint.write(Data("{\"labels\":99".utf8))
        try checkpoint.close()

        let output = try BatchOutput(directory: directory, description: description())
        let resume = try output.resume()
        #expect(resume.finished == ["a", "b"])
        #expect(resume.known.keys.sorted() == ["aa", "bb"])
        #expect(output.rows == 2 && output.counts.classified == 2)
        let text = try String(contentsOf: labels, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 2 && text.hasSuffix("\n"))
        let size = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("embeddings.npy").path)[.size] as? Int
        #expect(size == NPYHeader.length + 2 * 4 * 4)
        #expect(try String(contentsOf: directory.appendingPathComponent("checkpoint.jsonl"), encoding: .utf8).split(separator: "\n").count == 1)

        // A second writer on the same folder is refused while the first holds it.
        #expect(throws: BatchError.self) { try BatchOutput(directory: directory, description: description()) }
    }

    @Test func otherSettingsAreRefused() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        do { _ = try BatchOutput(directory: directory, description: description()) }
        #expect(throws: BatchError.self) { try BatchOutput(directory: directory, description: description(dims: 8)) }
    }
}

struct BatchRecordTests {
    /// A model that outputs NaN or ±∞ once trapped `lenscale batch` in its JSON encoding.
    @Test func nonFiniteScoresAreWrittenNotTrappedOn() throws {
        let line = BatchRecords.LabelLine(path: "a.jpg", sha256: String(repeating: "0", count: 64), model: "m", model_version: "v",
                                          labels: [Label(index: 1, name: "x", score: .nan), Label(index: 2, name: "y", score: .infinity),
                                                   Label(index: 3, name: "z", score: -.infinity)])
        let text = BatchRecords.json(line)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let scores = (object["labels"] as? [[String: Any]])?.compactMap { $0["score"] as? String }
        #expect(scores == ["nan", "inf", "-inf"], "\(text)")
        #expect(text.hasSuffix("}\n"))
    }
}
