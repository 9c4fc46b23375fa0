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

/// An opened workspace. Close it when done so PostgreSQL pools are released.
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

    public static func open(_ location: WorkspaceLocation) async throws(IngestError) -> Workspace {
        do {
            try FileManager.default.createDirectory(at: location.dataDirectory, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: location.indexDirectory, withIntermediateDirectories: true)
        } catch {
            throw .workspace("cannot create the data folder \(location.dataDirectory.path): \(error.localizedDescription)")
        }
        let store: any ObjectStore
        do {
            store = try makeObjectStore(location.storeLocation)
        } catch {
            throw .storage(error)
        }
        do {
            let catalog = try await openCatalog(location.catalogLocation)
            return Workspace(location: location, store: store, catalog: catalog)
        } catch {
            throw .catalog(error)
        }
    }

    public func close() async {
        try? await catalog.close()
    }
}
