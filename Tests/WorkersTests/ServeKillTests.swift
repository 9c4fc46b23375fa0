import Foundation
import Testing
import TestSupport

/// `lenscale serve` killed with SIGKILL while bulk uploads are being answered: what it
/// acknowledged survives, and what it did not is either whole or absent, never half there.
@Suite(.serialized) struct ServeKillTests {
    struct Server {
        let process: Process
        let port: Int

        static func start(data: URL, log: URL) async throws -> Server {
            let process = try CLI.spawn(["serve", "--insecure-no-auth", "--port", "0", "--threads", "1", "--data", data.path], log: log)
            let deadline = ContinuousClock.now + .seconds(180)
            while ContinuousClock.now < deadline, process.isRunning {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                if let line = text.split(separator: "\n").first(where: { $0.contains("listening on http://") }),
                   let port = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
                    return Server(process: process, port: port)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw TestPostgresError(message: "lenscale serve did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
    }

    /// One `curl` posting a multipart batch; its answer lands in a file.
    struct Upload {
        let process: Process
        let answer: URL

        init(files: [URL], port: Int, answer: URL) throws {
            self.answer = answer
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            process.arguments = ["-s", "-o", answer.path, "-w", "%{http_code}"] + files.flatMap { ["-F", "images=@\($0.path)"] }
                + ["http://127.0.0.1:\(port)/v1/batches"]
            let status = Pipe()
            process.standardOutput = status
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            statusPipe = status
        }

        private let statusPipe: Pipe

        /// The batch id when the server answered 202, else nil (the connection died first).
        func acknowledgedBatch() async throws -> String? {
            try await process.exited(within: .seconds(600), "curl's upload of a batch to end")
            let code = String(decoding: statusPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            guard code == "202", let data = try? Data(contentsOf: answer),
                  let body = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
            return body["id"] as? String
        }
    }

    @Test func acknowledgedBatchesSurviveSIGKILL() async throws {
        let images = try await JPEGSet.make(count: 300)
        let files = try FileManager.default.contentsOfDirectory(at: images, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "jpg" }.sorted { $0.path < $1.path }
        try #require(files.count == 300)
        let data = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: data) }

        let first = try await Server.start(data: data, log: data.appendingPathComponent("serve-1.log"))
        // One batch answered in full, then two in flight when the server dies.
        let answered = try Upload(files: Array(files[0..<100]), port: first.port, answer: data.appendingPathComponent("a0.json"))
        let acknowledged = try await answered.acknowledgedBatch()
        #expect(acknowledged != nil, "the first batch was not acknowledged")
        let inFlight = try [1, 2].map { index in
            try Upload(files: Array(files[(index * 100)..<((index + 1) * 100)]), port: first.port,
                       answer: data.appendingPathComponent("a\(index).json"))
        }
        try await Task.sleep(for: .milliseconds(300))
        await first.process.killAndReap()
        var ids = [acknowledged].compactMap { $0 }
        for upload in inFlight { if let id = try await upload.acknowledgedBatch() { ids.append(id) } }

        let second = try await Server.start(data: data, log: data.appendingPathComponent("serve-2.log"))
        defer {
            kill(second.process.processIdentifier, SIGKILL)
            second.process.waitUntilExit()
        }
        // Every acknowledged batch completes after the restart.
        for id in ids {
            let deadline = ContinuousClock.now + .seconds(600)
            var completed = false
            while !completed, ContinuousClock.now < deadline {
                let result = try await runProcess(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "http://127.0.0.1:\(second.port)/v1/batches/\(id)"])
                if let body = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                   let counts = body["counts"] as? [String: Int], counts["done"] == 100 {
                    completed = true
                } else {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(completed, "acknowledged batch \(id) did not complete after the restart")
        }
        // Nothing half-visible: every batch the catalog holds has all of its 100 items.
        let census = try await runProcess(TestPaths.python, ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(",".join(str(n) for (n,) in db.execute("SELECT count(i.batch_id) FROM batches b LEFT JOIN batch_items i ON i.batch_id = b.id GROUP BY b.id")))
            """, data.appendingPathComponent("catalog.sqlite").path])
        #expect(census.status == 0, "\(census.stderr)")
        let sizes = census.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").compactMap { Int($0) }
        #expect(sizes.count >= ids.count, "an acknowledged batch is missing from the catalog: \(sizes)")
        #expect(sizes.allSatisfy { $0 == 100 }, "a batch is half there: \(sizes)")
    }
}
