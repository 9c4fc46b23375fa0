import Foundation
import Testing
import TestSupport

/// `lenscale serve` as an operator runs it: SIGTERM ends the process within its drain limit,
/// whatever clients hold open.
@Suite(.serialized) struct ServeShutdownTests {
    @Test("SIGTERM ends a server that has an open event stream, within the configured grace")
    func sigtermEndsOpenEventStreams() async throws {
        let scratch = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = scratch.appendingPathComponent("serve.yaml")
        try "shutdown:\n  grace_seconds: 3\n".write(to: config, atomically: true, encoding: .utf8)
        let server = try Spawned(CLI.binary, ["serve", "--config", config.path, "--insecure-no-auth", "--port", "0",
                                              "--data", scratch.appendingPathComponent("data").path],
                                 environment: ["LENSCALE_MODELS": TestPaths.models.path],
                                 log: scratch.appendingPathComponent("serve.log"))
        defer { server.kill() }
        let port = try await server.waitForPort()

        let stream = try Spawned(URL(fileURLWithPath: "/usr/bin/curl"), ["-sN", "http://127.0.0.1:\(port)/v1/events/stream"],
                                 log: scratch.appendingPathComponent("stream.log"))
        defer { stream.kill() }
        // The stream is open once its first line has arrived.
        try await poll("the event stream to open") { stream.output.contains("retry: 1000") }

        let start = ContinuousClock.now
        kill(server.process.processIdentifier, SIGTERM)
        try await poll("the server to exit after SIGTERM", within: .seconds(60)) { !server.process.isRunning }
        server.process.waitUntilExit()
        let took = ContinuousClock.now - start
        #expect(server.process.terminationReason == .exit && server.process.terminationStatus == 0, "\(server.output)")
        #expect(took < .seconds(3 + 10), "took \(took) with a 3 s grace")
        // The client saw its stream end rather than hang.
        try await poll("curl to see the stream end", within: .seconds(20)) { !stream.process.isRunning }
    }
}

/// A child process whose output goes to a file the test can read while it runs.
struct Spawned {
    let process: Process
    let log: URL

    init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], log: URL) throws {
        self.log = log
        process = try spawnProcess(executable, arguments, environment: environment, log: log)
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// The port from the server's "listening on http://host:port" line.
    func waitForPort() async throws -> Int {
        var port: Int?
        try await poll("the server to listen", within: .seconds(120)) {
            guard let line = output.split(separator: "\n").first(where: { $0.contains("listening on http://") }),
                  let text = line.split(separator: ":").last else { return !process.isRunning }
            port = Int(text.trimmingCharacters(in: .whitespaces))
            return true
        }
        return try #require(port, "the server did not start: \(output)")
    }

    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Polls `condition` every 50 ms until it holds, failing the test after `within`.
func poll(_ what: String, within limit: Duration = .seconds(30), _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while try !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out waiting for \(what)")
            return
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}
