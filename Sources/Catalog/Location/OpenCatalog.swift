import Logging

/// Opens and migrates the catalog at `location`: what every command that reads or writes
/// metadata calls first, so no code path can run against an outdated schema.
///
/// Close it with `close()` when done, or use `withCatalog` to have that done on every exit path.
public func openCatalog(
    _ location: CatalogLocation, migrations: [Migration] = Migrations.all,
    logger: Logger = Logger(label: "lenscale.catalog")
) async throws(CatalogError) -> any Catalog {
    let catalog = try await location.connect(migrations: migrations, logger: logger)
    do {
        try await catalog.migrate()
    } catch {
        try? await catalog.close()
        throw error
    }
    return catalog
}

/// Parses `location` (a path, `sqlite:///path` or `postgres://…`) and opens it migrated.
public func openCatalog(
    _ location: String, migrations: [Migration] = Migrations.all,
    logger: Logger = Logger(label: "lenscale.catalog")
) async throws(CatalogError) -> any Catalog {
    try await openCatalog(try CatalogLocation(parsing: location), migrations: migrations, logger: logger)
}

/// Runs `body` with an open, migrated catalog and closes it afterwards, also when `body` throws:
/// the scoped form for commands and tests, so a PostgreSQL pool never outlives its user.
public func withCatalog<T>(
    _ location: CatalogLocation, migrations: [Migration] = Migrations.all,
    logger: Logger = Logger(label: "lenscale.catalog"),
    _ body: (any Catalog) async throws -> T
) async throws -> T {
    let catalog = try await openCatalog(location, migrations: migrations, logger: logger)
    let result: T
    do {
        result = try await body(catalog)
    } catch {
        try? await catalog.close()
        throw error
    }
    try await catalog.close()
    return result
}
