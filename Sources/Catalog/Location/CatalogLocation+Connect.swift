import Logging

extension CatalogLocation {
    /// Runs `body` with the catalog connected but not migrated, for tools and tests that inspect
    /// or migrate explicitly; closed (and a PostgreSQL pool stopped) when `body` ends, also when
    /// it throws.
    public func withConnected<T>(
        migrations: [Migration] = Migrations.all, logger: Logger = Logger(label: "lenscale.catalog"),
        _ body: (any Catalog) async throws -> T
    ) async throws -> T {
        switch self {
        case .sqlite(let configuration):
            let catalog = try SQLiteCatalog(configuration: configuration, migrations: migrations)
            let result: T
            do {
                result = try await body(catalog)
            } catch {
                try? await catalog.close()
                throw error
            }
            try await catalog.close()
            return result
        case .postgres(let configuration):
            return try await PostgresCatalog.withPool(configuration, migrations: migrations, logger: logger) { try await body($0) }
        }
    }
}
