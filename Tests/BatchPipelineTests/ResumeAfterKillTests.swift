import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A run killed with SIGKILL mid-way leaves consistent files, and its rerun finishes the job with
/// every image exactly once.
@Suite(.serialized)
struct ResumeAfterKillTests {
    @Test func killedRunResumesWithEveryImageOnce() async throws {
        let folder = try PhotoFolder.make(photos: 4, copies: 36, duplicate: true, bad: true)
        defer { folder.remove() }
        let out = folder.directory.deletingLastPathComponent().appendingPathComponent("out")
        let arguments = ["batch", folder.directory.path, "--out", out.path, "--batch", "2", "--decode-workers", "1", "--sessions", "1", "--threads", "1"]

        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(CLI.environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill it once a few batches are checkpointed, before it can finish.
        let checkpoint = out.appendingPathComponent("checkpoint.jsonl")
        try await poll("three checkpointed batches", within: .seconds(300)) {
            let lines = (try? String(contentsOf: checkpoint, encoding: .utf8))?.split(separator: "\n").count ?? 0
            return lines >= 3 || !process.isRunning
        }
        try #require(process.isRunning, "the run finished before it could be killed; give it more images")
        kill(process.processIdentifier, SIGKILL)
        try await process.exited(within: .seconds(60), "the SIGKILLed batch run to be reaped")
        #expect(process.terminationReason == .uncaughtSignal)

        // Right after the kill the files are usable: numpy reads the array the header describes,
        // and every complete labels line parses.
        let output = BatchOutputFolder(directory: out)
        let partial = try await output.numpyShape()
        #expect(partial.rows > 0 && partial.rows < 40 && partial.columns == 1280)
        let before = try output.records.count
        #expect(before > 0 && before < 41)

        let rerun = try await CLI.run(arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("done before"), "\(rerun.stderr)")
        let records = try output.records
        #expect(records.map(\.path).sorted() == (folder.good + folder.duplicates).sorted(), "every image exactly once")
        #expect(try output.failures.map(\.path).sorted() == folder.bad.sorted())
        let index = try output.index
        #expect(index.map(\.row) == Array(0..<40))
        #expect(Set(index.map(\.sha256)).count == 40)
        let npy = try await output.numpyShape()
        #expect(npy.rows == 40 && npy.finite)
        #expect(rerun.stderr.contains("whole job: 40 labelled, 1 duplicates, 3 failed"), "\(rerun.stderr)")
    }
}
