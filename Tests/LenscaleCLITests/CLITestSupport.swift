import Foundation
import TestSupport

/// Runs the `lenscale` executable that `swift build` put beside the tests.
enum CLI {
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["LENSCALE_BIN"], !path.isEmpty { return URL(fileURLWithPath: path) }
        // The test bundle sits in the build products folder, next to the executable.
        let products = Bundle.main.bundleURL.deletingLastPathComponent()
        let candidate = products.appendingPathComponent("lenscale")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        return TestPaths.repositoryRoot.appendingPathComponent(".build/debug/lenscale")
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        try runProcess(binary, arguments, environment: ["LENSCALE_MODELS": TestPaths.models.path].merging(environment) { _, new in new })
    }
}

/// A temporary folder holding named files with the given bytes.
struct Scratch {
    let directory: URL

    init(_ files: [String: [UInt8]] = [:]) throws {
        directory = try TestPaths.temporaryDirectory()
        for (name, bytes) in files { try Data(bytes).write(to: directory.appendingPathComponent(name)) }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: directory) }
}
