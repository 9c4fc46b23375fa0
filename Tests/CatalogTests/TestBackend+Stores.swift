import Catalog
import Foundation
import Testing
import TestSupport

/// Catalog stores on the backends every contract test runs against.
extension TestBackend {
    /// Runs `body` with an empty store of its own and removes it afterwards: a file in a fresh
    /// temporary folder, or a fresh schema on the test server (see `TestPostgres`). With
    /// `createSchema: false` the PostgreSQL schema is left for `migrate()` to create.
    func withStore<T>(createSchema: Bool = true, _ body: (TestStore) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let directory = try TestPaths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("catalog.sqlite").path
            return try await body(TestStore(location: .sqlite(.init(path: path))))
        case .postgres:
            return try await TestPostgres.withIsolatedSchema("catalog", create: createSchema) { _, url in
                // A small pool: Swift Testing runs cases in parallel and the server allows 100 connections.
                try await body(TestStore(location: try CatalogLocation(parsing: url + "&pool_max=4")))
            }
        }
    }

    /// Runs `body` with a migrated catalog on an empty store, closing it afterwards.
    func withCatalog<T>(_ body: (any Catalog) async throws -> T) async throws -> T {
        try await withStore { store in try await store.withMigratedCatalog(body) }
    }
}

/// One empty database for one test, which several catalogs (as several processes would) can open.
struct TestStore: Sendable {
    let location: CatalogLocation

    /// Opens without migrating, runs `body`, closes.
    func withConnected<T>(migrations: [Migration] = Migrations.all, _ body: (any Catalog) async throws -> T) async throws -> T {
        try await location.withConnected(migrations: migrations, body)
    }

    /// Opens and migrates, runs `body`, closes.
    func withMigratedCatalog<T>(migrations: [Migration] = Migrations.all, _ body: (any Catalog) async throws -> T) async throws -> T {
        try await withCatalog(location, migrations: migrations, body)
    }
}
