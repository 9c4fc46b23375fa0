import Foundation

/// The default store: objects as files under one root folder.
///
/// Layout, chosen so that neither kind of key can shadow the other:
///
///     <root>/content/ab/cd/abcd…   content keys, sharded by their first two bytes so no folder
///                                   holds more than 65,536 entries
///     <root>/named/photos/a.jpg    any other key, at its relative path
///
/// Writes are crash-safe: bytes go to a `.lenscale-partial-*` file beside the destination, are
/// fsynced, then renamed into place without replacing anything, and the folders are fsynced.
/// A crash leaves at most a partial file, which no read or listing ever returns.
public struct FileSystemStore: ObjectStore {
    /// The folder holding `content/` and `named/`; created on the first `put`.
    public let root: URL
    /// fsync of files and folders; see `FileSync`.
    let sync: any FileSync

    public init(root: URL, sync: any FileSync = PosixFileSync()) {
        self.root = root.standardizedFileURL
        self.sync = sync
    }

    var rootPath: String { root.path }
    var contentRoot: String { rootPath + "/content" }
    var namedRoot: String { rootPath + "/named" }
}
