import Foundation
import Testing
import TestSupport

/// `lenscale batch` end to end: the real binary, real photos, the real model.
@Suite(.serialized)
struct BatchCommandTests {
    @Test func labelsAFolderLikeClassifyAndListsBadFiles() async throws {
        let folder = try PhotoFolder.make(photos: 6)
        defer { folder.remove() }
        let out = folder.directory.deletingLastPathComponent().appendingPathComponent("out")
        let result = try await CLI.run(["batch", folder.directory.path, "--out", out.path, "--batch", "4"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("6 labelled, 1 duplicates, 3 failed"), "\(result.stderr)")
        #expect(result.stderr.contains("decode worker"), "the split between decoding and the model is reported")

        let output = BatchOutputFolder(directory: out)
        let records = try output.records
        #expect(records.map(\.path) == (folder.good + folder.duplicates).sorted())

        // The same records as `lenscale classify --format jsonl` on the same files.
        let classify = try await CLI.run(["classify", folder.directory.path, "--format", "jsonl"])
        let expected = try classify.stdout.split(separator: "\n").map {
            try JSONDecoder().decode(BatchOutputFolder.Record.self, from: Data($0.utf8))
        }
        #expect(expected.count == records.count)
        for (mine, theirs) in zip(records, expected) {
            #expect(mine.path == theirs.path)
            #expect(mine.sha256 == theirs.sha256)
            #expect(mine.model == theirs.model && mine.model_version == theirs.model_version, "\(mine.model_version) vs \(theirs.model_version)")
            #expect(mine.labels.map(\.index) == theirs.labels.map(\.index), "\(mine.path)")
            #expect(zip(mine.labels, theirs.labels).allSatisfy { abs($0.score - $1.score) < 1e-3 }, "\(mine.path)")
        }
        // The JSON text has classify's keys, in classify's order.
        let firstLine = try String(contentsOf: out.appendingPathComponent("labels.jsonl"), encoding: .utf8).split(separator: "\n")[0]
        #expect(firstLine.hasPrefix("{\"labels\":[{\"index\":") && firstLine.contains("\"model_version\":"))

        // The duplicate carries its first copy's labels; only distinct images get embedding rows.
        let duplicate = try #require(records.first { $0.path == folder.duplicates[0] })
        let original = try #require(records.first { $0.sha256 == duplicate.sha256 && $0.path != duplicate.path })
        #expect(duplicate.labels == original.labels)
        let index = try output.index
        #expect(index.map(\.row) == Array(0..<6))
        #expect(Set(index.map(\.sha256)).count == 6)
        #expect(Set(index.map(\.path)) == Set(folder.good))
        let npy = try await output.numpyShape()
        #expect(npy.dtype == "<f4" && npy.rows == 6 && npy.columns == 1280 && npy.finite)

        let failures = try output.failures
        #expect(failures.map(\.path).sorted() == folder.bad.sorted())
        let reasons = Dictionary(uniqueKeysWithValues: failures.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0) })
        #expect(reasons["not-a-photo.jpg"]?.error == "not_an_image")
        #expect(reasons["truncated.jpg"]?.message.contains("truncated") == true || reasons["truncated.jpg"]?.error == "corrupt")
        #expect(reasons["bomb.png"]?.error == "too_many_pixels")
        #expect(failures.allSatisfy { !$0.message.isEmpty })
    }

    @Test func rerunSkipsWhatIsDone() async throws {
        let folder = try PhotoFolder.make(photos: 4, bad: false)
        defer { folder.remove() }
        let out = folder.directory.deletingLastPathComponent().appendingPathComponent("out")
        let first = try await CLI.run(["batch", folder.directory.path, "--out", out.path])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try await CLI.run(["batch", folder.directory.path, "--out", out.path])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("0 labelled, 0 duplicates, 0 failed, 0 left to other shards, 5 done before"), "\(second.stderr)")
        #expect(try BatchOutputFolder(directory: out).records.count == 5)

        // Other settings in the same folder would mix two runs: refused, with what differs.
        let other = try await CLI.run(["batch", folder.directory.path, "--out", out.path, "--embedding-dtype", "float16"])
        #expect(other.status != 0)
        #expect(other.stderr.contains("embedding dtype float32, now float16"), "\(other.stderr)")
    }

    @Test func float16AndCSV() async throws {
        let folder = try PhotoFolder.make(photos: 3, duplicate: false, bad: false)
        defer { folder.remove() }
        let out = folder.directory.deletingLastPathComponent().appendingPathComponent("out")
        let result = try await CLI.run(["batch", folder.directory.path, "--out", out.path, "--embedding-dtype", "float16",
                                  "--format", "csv", "--top", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        let npy = try await BatchOutputFolder(directory: out).numpyShape()
        #expect(npy.dtype == "<f2" && npy.rows == 3 && npy.columns == 1280 && npy.finite)
        let csv = try String(contentsOf: out.appendingPathComponent("labels.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "path,sha256,model,model_version,rank,index,name,score")
        #expect(csv.count == 1 + 3 * 3)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("labels.jsonl").path))
    }

    @Test func manifestsPlainAndCSV() async throws {
        let folder = try PhotoFolder.make(photos: 4, duplicate: false, bad: false)
        defer { folder.remove() }
        let base = folder.directory.deletingLastPathComponent()
        // Relative entries resolve against the manifest's folder; comments and blank lines are skipped.
        let relative = folder.good.map { "photos/" + $0.dropFirst(folder.directory.path.count + 1) }
        try ("# four photos\n\n" + relative.joined(separator: "\n") + "\n").write(to: base.appendingPathComponent("list.txt"), atomically: true, encoding: .utf8)
        let plain = try await CLI.run(["batch", base.appendingPathComponent("list.txt").path, "--out", base.appendingPathComponent("out-plain").path])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(try BatchOutputFolder(directory: base.appendingPathComponent("out-plain")).records.map(\.path) == relative)

        var csv = "id,path,caption\n"
        for (number, path) in folder.good.enumerated() { csv += "\(number),\"\(path)\",\"a photo, number \(number)\"\n" }
        csv += "9,\(folder.directory.path)/missing.jpg,gone\n"
        try csv.write(to: base.appendingPathComponent("list.csv"), atomically: true, encoding: .utf8)
        let fromCSV = try await CLI.run(["batch", base.appendingPathComponent("list.csv").path, "--out", base.appendingPathComponent("out-csv").path])
        #expect(fromCSV.status == 0, "\(fromCSV.stderr)")
        let output = BatchOutputFolder(directory: base.appendingPathComponent("out-csv"))
        #expect(try output.records.map(\.path) == folder.good)
        let missing = try output.failures
        #expect(missing.count == 1 && missing.first?.error == "unreadable", "\(missing)")

        let bad = "name,caption\na.jpg,x\n"
        try bad.write(to: base.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        let refused = try await CLI.run(["batch", base.appendingPathComponent("bad.csv").path, "--out", base.appendingPathComponent("out-bad").path])
        #expect(refused.status != 0 && refused.stderr.contains("no 'path' or 'key' column"), "\(refused.stderr)")
    }

    @Test func shardsCoverEverythingOnce() async throws {
        let folder = try PhotoFolder.make(photos: 8, copies: 4, duplicate: true, bad: false)
        defer { folder.remove() }
        let base = folder.directory.deletingLastPathComponent()
        var seen: [String] = []
        for index in 0..<3 {
            let out = base.appendingPathComponent("shard-\(index)")
            let result = try await CLI.run(["batch", folder.directory.path, "--out", out.path, "--shard", "\(index)/3"])
            #expect(result.status == 0, "\(result.stderr)")
            seen += try BatchOutputFolder(directory: out).records.map(\.path)
        }
        #expect(seen.sorted() == (folder.good + folder.duplicates).sorted(), "every image exactly once")
        // The duplicate lands on the same shard as its original, which labels it once.
        #expect(Set(seen).count == seen.count)

        // JOB_COMPLETION_INDEX with a count, as a Kubernetes Indexed Job runs it, takes the same share.
        let viaEnvironment = base.appendingPathComponent("job-1")
        let job = try await CLI.run(["batch", folder.directory.path, "--out", viaEnvironment.path],
                              environment: ["JOB_COMPLETION_INDEX": "1", "LENSCALE_SHARD_COUNT": "3"])
        #expect(job.status == 0, "\(job.stderr)")
        #expect(try BatchOutputFolder(directory: viaEnvironment).records.map(\.path)
                == BatchOutputFolder(directory: base.appendingPathComponent("shard-1")).records.map(\.path))

        // Manifests split by line.
        let manifest = base.appendingPathComponent("all.txt")
        try folder.good.joined(separator: "\n").write(to: manifest, atomically: true, encoding: .utf8)
        var lines: [String] = []
        for index in 0..<2 {
            let out = base.appendingPathComponent("manifest-\(index)")
            let result = try await CLI.run(["batch", manifest.path, "--out", out.path, "--shard", "\(index)/2"])
            #expect(result.status == 0, "\(result.stderr)")
            let paths = try BatchOutputFolder(directory: out).records.map(\.path)
            #expect(paths == folder.good.enumerated().filter { $0.offset % 2 == index }.map(\.element))
            lines += paths
        }
        #expect(lines.sorted() == folder.good.sorted())
    }

    @Test func badArgumentsGiveAMessage() async throws {
        let out = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let cases: [([String], [String: String], String)] = [
            (["batch", "/no/such/folder", "--out", out.path], [:], "no such file or folder"),
            (["batch", "--out", out.path], [:], "Missing expected argument"),
            (["batch", TestPaths.sharedImages.path], [:], "--out"),
            (["batch", TestPaths.sharedImages.path, "--out", out.path, "--shard", "3/2"], [:], "outside 0..1"),
            (["batch", TestPaths.sharedImages.path, "--out", out.path, "--shard", "half"], [:], "is not a shard"),
            (["batch", TestPaths.sharedImages.path, "--out", out.path, "--shard", "0/0"], [:], "at least 1"),
            (["batch", TestPaths.sharedImages.path, "--out", out.path], ["JOB_COMPLETION_INDEX": "2"], "shard count"),
            (["batch", TestPaths.sharedImages.path, "--out", out.path, "--batch", "0"], [:], "--batch"),
            (["batch", "s3://Bad_Bucket/x", "--out", out.path], ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"], "not a valid S3 bucket name"),
        ]
        for (arguments, environment, message) in cases {
            let result = try await CLI.run(arguments, environment: environment.merging(["JOB_COMPLETION_INDEX": environment["JOB_COMPLETION_INDEX"] ?? ""]) { $1 })
            #expect(result.status != 0 && !result.crashed, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
