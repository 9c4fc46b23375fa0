import Logging

/// Runs `body` with the catalog at `location` open and migrated, and closes it afterwards, also
/// when `body` throws: what every command that reads or writes metadata runs in, so no code path
/// can run against an outdated schema, and a PostgreSQL pool never outlives its user.
public func withCatalog<T>(
    _ location: CatalogLocation, migrations: [Migration] = Migrations.all,
    logger: Logger = Logger(label: "lenscale.catalog"),
    _ body: (any Catalog) async throws -> T
) async throws -> T {
    try await location.withConnected(migrations: migrations, logger: logger) { catalog in
        try await catalog.migrate()
        return try await body(catalog)
    }
}

/// Parses `location` (a path, `sqlite:///path` or `postgres://…`) and runs `body` with it open
/// and migrated.
public func withCatalog<T>(
    _ location: String, migrations: [Migration] = Migrations.all,
    logger: Logger = Logger(label: "lenscale.catalog"),
    _ body: (any Catalog) async throws -> T
) async throws -> T {
    try await withCatalog(try CatalogLocation(parsing: location), migrations: migrations, logger: logger, body)
}
