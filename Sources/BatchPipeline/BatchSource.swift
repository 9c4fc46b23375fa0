import Foundation
import Storage

/// Where a batch run's images come from.
public enum BatchSource: Sendable, Equatable, CustomStringConvertible {
    /// A folder, walked recursively for image extensions, in sorted order (as `classify` walks).
    case folder(path: String)
    /// A file listing one path or store key per line, or a CSV with a `path` (or `key`) column.
    /// Keys are read from `store`; without a store, entries are paths, relative ones resolved
    /// against the manifest's folder.
    case manifest(path: String, store: String?)
    /// Every object under an object-store location such as `s3://bucket/prefix?endpoint=…`.
    case bucket(location: String)

    /// Reads the command line's SOURCE: `s3://…` is a bucket, a folder is a folder, and any other
    /// existing file is a manifest.
    public init(parsing argument: String, store: String? = nil) throws(BatchError) {
        let trimmed = argument.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .source("the source is empty: give a folder, a manifest file or s3://bucket/prefix") }
        if trimmed.lowercased().hasPrefix("s3://") {
            guard store == nil else { throw .source("--store applies to manifests of keys; a bucket source is its own store") }
            self = .bucket(location: trimmed)
            return
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: trimmed, isDirectory: &isDirectory) else {
            throw .source("\(trimmed): no such file or folder; give a folder, a manifest file or s3://bucket/prefix")
        }
        if isDirectory.boolValue {
            guard store == nil else { throw .source("--store applies to manifests of keys, not to a folder") }
            self = .folder(path: trimmed)
        } else {
            self = .manifest(path: trimmed, store: store)
        }
    }

    /// Whether a shard takes its items by line number rather than by content hash.
    public var shardsByPosition: Bool {
        if case .manifest = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .folder(let path): "folder \(path)"
        case .manifest(let path, let store): "manifest \(path)" + (store.map { " of keys in \($0)" } ?? "")
        case .bucket(let location): "bucket \(location)"
        }
    }
}
