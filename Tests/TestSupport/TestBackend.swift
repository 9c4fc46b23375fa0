import Foundation

/// The two catalog backends a suite runs on: the embedded SQLite default and PostgreSQL.
public enum TestBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// Runs `body` with the location of an empty catalog of its own, removed afterwards: a file
    /// in a fresh temporary folder, or a fresh schema on the test server (see `TestPostgres`).
    public func withCatalogLocation<T>(_ label: String = "t", _ body: (_ location: String) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let directory = try TestPaths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            return try await body(directory.appendingPathComponent("catalog.sqlite").path)
        case .postgres:
            return try await TestPostgres.withIsolatedSchema(label) { _, url in
                // A small pool: suites run in parallel against one server.
                try await body(url + "&pool_max=4")
            }
        }
    }
}
