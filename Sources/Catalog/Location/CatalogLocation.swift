/// Which backend a catalog lives in, parsed from the one string users configure.
///
/// A plain path (or `sqlite:///path`) means the embedded SQLite catalog;
/// `postgres://user:password@host:port/database` (or `postgresql://`) means PostgreSQL. One string
/// rather than separate flags so a CLI option, an environment variable and a config file all
/// say the same thing.
public enum CatalogLocation: Sendable, Equatable, Hashable, CustomStringConvertible {
    case sqlite(SQLiteCatalog.Configuration)
    case postgres(PostgresCatalog.Configuration)

    /// Passwords are redacted, so a location can be logged.
    public var description: String {
        switch self {
        case .sqlite(let configuration): "sqlite://\(configuration.path)"
        case .postgres(let configuration): configuration.description
        }
    }
}
