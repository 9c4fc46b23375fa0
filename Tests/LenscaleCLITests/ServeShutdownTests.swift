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

        // The stream never ends by itself, so a server that waited for it would never exit: the
        // minute only catches that; how soon after the 3 s grace it exits is the machine's.
        kill(server.process.processIdentifier, SIGTERM)
        try await server.process.exited(within: .seconds(60), "the server to exit after SIGTERM with an open stream")
        #expect(server.process.terminationReason == .exit && server.process.terminationStatus == 0, "\(server.output)")
        // The client saw its stream end rather than hang.
        try await poll("curl to see the stream end", within: .seconds(60)) { !stream.process.isRunning }
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

    /// SIGKILLs the child; for a `defer`, which cannot await (a SIGKILLed child is reaped at once).
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
