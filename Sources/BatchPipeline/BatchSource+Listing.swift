import Foundation
import ImageDecoding
import Storage

extension BatchSource {
    /// File extensions a folder walk picks up; a manifest's entries are tried whatever they are
    /// called, so a mislabelled file gets a real "not an image" failure.
    static let imageExtensions: Set<String> = ImageFormat.fileExtensions

    /// Runs `body` with the store that `.object` items are read from (nil when every item is a
    /// file), open for the duration of `body`. A store that cannot be opened is a `BatchError`;
    /// `body`'s own errors pass through.
    public func withStore<T>(_ body: ((any ObjectStore)?) async throws -> T) async throws -> T {
        let location: String
        switch self {
        case .folder, .manifest(_, nil): return try await body(nil)
        case .manifest(_, let store?): location = store
        case .bucket(let bucket): location = bucket
        }
        let parsed: ObjectStoreLocation
        do { parsed = try ObjectStoreLocation(parsing: location) } catch { throw BatchError.storage(error) }
        return try await parsed.withStore(body)
    }

    /// Every item of the source, in a deterministic order: sorted paths, manifest order, or key
    /// order. The whole list is held in memory (about 200 bytes an item), which keeps sharding
    /// by position and resuming simple up to tens of millions of items per shard.
    public func items(store: (any ObjectStore)?) async throws(BatchError) -> [BatchItem] {
        switch self {
        case .folder(let path):
            let items = FolderFiles.under(path, extensions: Self.imageExtensions).map { BatchItem(name: $0, location: .file(path: $0)) }
            guard !items.isEmpty else { throw .source("\(path): no images (\(ImageFormat.displayList)) in this folder") }
            return items
        case .manifest(let path, let storeLocation):
            let entries = try ManifestReader.entries(of: path)
            guard !entries.isEmpty else { throw .manifest(path: path, line: nil, reason: "lists no paths or keys") }
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            return entries.map { entry in
                if storeLocation != nil { return BatchItem(name: entry, location: .object(key: entry)) }
                let resolved = entry.hasPrefix("/") ? entry : folder + "/" + entry
                return BatchItem(name: entry, location: .file(path: resolved))
            }
        case .bucket(let location):
            guard let store else { throw .source("\(location): the store is not open") }
            var items: [BatchItem] = []
            do {
                for try await object in store.objects() {
                    items.append(BatchItem(name: object.key, location: .object(key: object.key), size: object.size))
                }
            } catch let error as StorageError {
                throw .storage(error)
            } catch {
                throw .source("\(location): \(error)")
            }
            guard !items.isEmpty else { throw .source("\(location): no objects under this prefix") }
            return items
        }
    }
}
