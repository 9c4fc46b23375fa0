import Catalog
import Foundation
import Storage

/// The stores one Lenscale deployment works against: the object store holding the image bytes,
/// the catalog holding what is known about them, and the folder holding the search indexes.
///
/// Embedded by default, everything lives under one data folder (`objects/`, `catalog.sqlite`,
/// `index/`); `catalog` and `store` locations move either part to PostgreSQL or S3 for scale-out.
public struct WorkspaceLocation: Sendable, Equatable {
    public var dataDirectory: URL
    /// A SQLite path or `postgres://…`; default `<data>/catalog.sqlite`.
    public var catalog: String?
    /// A folder, `file://…` or `s3://…`; default `<data>/objects`.
    public var store: String?

    public init(dataDirectory: URL, catalog: String? = nil, store: String? = nil) {
        self.dataDirectory = dataDirectory
        self.catalog = catalog
        self.store = store
    }

    /// `--data`, else `$LENSCALE_DATA`, else `./lenscale-data`.
    public static func dataDirectory(_ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let path = flag ?? environment["LENSCALE_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "lenscale-data"
        return URL(fileURLWithPath: path).standardizedFileURL
    }

    public var catalogLocation: String { catalog ?? dataDirectory.appendingPathComponent("catalog.sqlite").path }
    public var storeLocation: String { store ?? dataDirectory.appendingPathComponent("objects").path }
    public var indexDirectory: URL { dataDirectory.appendingPathComponent("index") }
}

/// An opened workspace, alive for the scope of `Workspace.with`.
public struct Workspace: Sendable {
    public let location: WorkspaceLocation
    public let store: any ObjectStore
    public let catalog: any Catalog

    public var indexDirectory: URL { location.indexDirectory }

    /// A workspace over stores opened elsewhere (for example a store wrapped for tests or metrics).
    public init(location: WorkspaceLocation, store: any ObjectStore, catalog: any Catalog) {
        self.location = location
        self.store = store
        self.catalog = catalog
    }

    /// Runs `body` with the workspace at `location` open (folders created, store opened, catalog
    /// migrated) and closes it afterwards, also when `body` throws. Failures to open are
    /// `IngestError`s naming the part at fault; `body`'s own errors pass through.
    public static func with<T>(_ location: WorkspaceLocation, _ body: (Workspace) async throws -> T) async throws -> T {
        do {
            try FileManager.default.createDirectory(at: location.dataDirectory, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: location.indexDirectory, withIntermediateDirectories: true)
        } catch {
            throw IngestError.workspace("cannot create the data folder \(location.dataDirectory.path): \(error.localizedDescription)")
        }
        let storeLocation: ObjectStoreLocation
        do {
            storeLocation = try ObjectStoreLocation(parsing: location.storeLocation)
        } catch {
            throw IngestError.storage(error)
        }
        let catalogLocation: CatalogLocation
        do { catalogLocation = try CatalogLocation(parsing: location.catalogLocation) } catch { throw IngestError.catalog(error) }
        // Errors opening the catalog are the workspace's; errors from `body` are the caller's.
        var opened = false
        return try await storeLocation.withStore { store in
            do {
                return try await withCatalog(catalogLocation) { catalog in
                    opened = true
                    return try await body(Workspace(location: location, store: store, catalog: catalog))
                }
            } catch let error as CatalogError where !opened {
                throw IngestError.catalog(error)
            }
        }
    }
}
