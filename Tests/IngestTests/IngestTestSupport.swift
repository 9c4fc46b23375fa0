import Catalog
import Classification
import Foundation
import Ingest
import Storage
import TestSupport

/// A throwaway embedded workspace (file store + SQLite) with an ingestor over the real lite0 model.
struct TestWorkspace {
    let directory: URL
    let workspace: Workspace
    let ingestor: Ingestor

    /// Runs `body` with a workspace in `directory` (a new temporary folder by default), removed
    /// afterwards unless `removing` is false.
    static func with<T>(directory: URL? = nil, catalog: String? = nil, store: (any ObjectStore)? = nil, removing: Bool = true,
                        _ body: (TestWorkspace) async throws -> T) async throws -> T {
        let directory = try directory ?? TestPaths.temporaryDirectory()
        defer { if removing { try? FileManager.default.removeItem(at: directory) } }
        return try await Workspace.with(WorkspaceLocation(dataDirectory: directory, catalog: catalog)) { opened in
            let workspace = store.map { Workspace(location: opened.location, store: $0, catalog: opened.catalog) } ?? opened
            let classifier = try Classifiers.named("efficientnet-lite0")
            let indexes = try await DuplicateIndexes.open(directory: workspace.indexDirectory, catalog: workspace.catalog,
                                                          model: classifier.model.name, embeddingDims: 1280)
            let pipeline = ClassificationPipeline(classifier: classifier, batchSize: 8, decodeConcurrency: 2)
            return try await body(TestWorkspace(directory: directory, workspace: workspace,
                                                ingestor: Ingestor(workspace: workspace, pipeline: pipeline, indexes: indexes)))
        }
    }

    func ingest(_ paths: [String]) async -> [IngestResult] {
        var results: [IngestResult] = []
        await ingestor.ingest(paths) { results.append($0) }
        return results
    }

    /// Files under the object store's folder, temp files included.
    func storedFiles() -> [String] {
        let root = directory.appendingPathComponent("objects")
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        var files: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files
    }
}

/// An object store whose puts always fail, to prove the catalog never gets ahead of the store.
struct FailingStore: ObjectStore {
    func put(_ bytes: [UInt8], key: String, mediaType: String?) async throws(StorageError) -> PutOutcome {
        throw .io(path: key, operation: "write", message: "disk full (simulated)")
    }
    func get(_ key: String) async throws(StorageError) -> [UInt8] { throw .notFound(key) }
    func head(_ key: String) async throws(StorageError) -> ObjectInfo? { nil }
    func delete(_ key: String) async throws(StorageError) {}
    func list(prefix: String, startAfter: String?, limit: Int) async throws(StorageError) -> ListPage {
        ListPage(objects: [], nextStartAfter: nil)
    }
}
