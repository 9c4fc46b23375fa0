import Foundation

/// Where the tests find the repository, the shared photos, the generated fixtures and the models.
///
/// Everything is located from this file's path so `swift test` works from any directory;
/// environment variables override each location for CI layouts that differ.
public enum TestPaths {
    public static let repositoryRoot: URL = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    static func override(_ variable: String) -> URL? {
        ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
    }

    /// `shared/` beside the checkout, as CI lays it out.
    public static var shared: URL {
        override("LENSCALE_SHARED") ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    public static var sharedImages: URL { shared.appendingPathComponent("images") }

    /// Variants written by `tools/make_fixtures.py` (`make fixtures`).
    public static var fixtures: URL {
        override("LENSCALE_FIXTURES") ?? repositoryRoot.appendingPathComponent(".fixtures")
    }

    /// The manifest folder written by `make setup`.
    public static var models: URL {
        override("LENSCALE_MODELS") ?? repositoryRoot.appendingPathComponent("models")
    }

    public static var python: URL { repositoryRoot.appendingPathComponent(".venv/bin/python") }

    public static func fixture(_ name: String) -> URL { fixtures.appendingPathComponent(name) }
    public static func sharedImage(_ name: String) -> URL { sharedImages.appendingPathComponent(name) }

    /// A fresh temporary directory, removed by the caller.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lenscale-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
