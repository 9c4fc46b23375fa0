import Logging

extension CatalogLocation {
    /// Opens the catalog without migrating it, for tools that inspect or migrate explicitly.
    public func connect(
        migrations: [Migration] = Migrations.all, logger: Logger = Logger(label: "lenscale.catalog")
    ) async throws(CatalogError) -> any Catalog {
        switch self {
        case .sqlite(let configuration):
            try SQLiteCatalog(configuration: configuration, migrations: migrations)
        case .postgres(let configuration):
            try await PostgresCatalog.connect(configuration, migrations: migrations, logger: logger)
        }
    }
}
