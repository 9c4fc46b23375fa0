import Foundation

/// Runs the `lenscale` executable that `swift build` put beside the tests, with the test models.
public enum CLI {
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["LENSCALE_BIN"], !path.isEmpty { return URL(fileURLWithPath: path) }
        // The runner's bundle is the products folder itself or a file in it, depending on the
        // platform (on Linux it is the runner, so argv[0] is looked at too).
        let bundle = Bundle.main.bundleURL
        let folders = [bundle, bundle.deletingLastPathComponent(), Bundle.main.executableURL?.deletingLastPathComponent(),
                       URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        for folder in folders.compactMap({ $0 }) {
            let candidate = folder.appendingPathComponent("lenscale")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return TestPaths.repositoryRoot.appendingPathComponent(".build/debug/lenscale")
    }

    public static var environment: [String: String] { ["LENSCALE_MODELS": TestPaths.models.path] }

    /// Runs `lenscale arguments` to completion (killed, and `TestTimeout`, past `limit`).
    public static func run(_ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil,
                           limit: Duration = .seconds(600)) async throws -> ProcessResult {
        try await runProcess(binary, arguments, environment: Self.environment.merging(environment) { _, new in new },
                             currentDirectory: currentDirectory, limit: limit)
    }

    /// Starts `lenscale arguments` without waiting; its output goes to `log`.
    public static func spawn(_ arguments: [String], environment: [String: String] = [:], log: URL) throws -> Process {
        try spawnProcess(binary, arguments, environment: Self.environment.merging(environment) { _, new in new }, log: log)
    }
}
