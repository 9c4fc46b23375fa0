import Glibc

/// One visible entry of a store folder.
struct DirectoryEntry: Sendable {
    var name: String
    var isDirectory: Bool
    var size: Int
}

extension DirectoryWalk {
    /// Regular files and folders of `directory`, in the order of the keys they hold; empty when
    /// the folder does not exist. Symbolic links are ignored so a store can never be led outside
    /// its root, and partial writes are ignored because they are not objects yet.
    static func entries(of directory: String) throws(StorageError) -> [DirectoryEntry] {
        guard let stream = opendir(directory) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw Posix.error("opendir", directory)
        }
        defer { closedir(stream) }
        let fd = dirfd(stream)
        var entries: [DirectoryEntry] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." || name.hasPrefix(ObjectKey.reservedSegmentPrefix) { continue }
            var info = stat()
            guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }  // removed meanwhile
            if Posix.isDirectory(info) {
                entries.append(DirectoryEntry(name: name, isDirectory: true, size: 0))
            } else if Posix.isRegularFile(info) {
                entries.append(DirectoryEntry(name: name, isDirectory: false, size: Int(info.st_size)))
            }
        }
        return entries.sorted { ObjectKey.precedes(sortKey($0), sortKey($1)) }
    }

    private static func sortKey(_ entry: DirectoryEntry) -> String {
        entry.isDirectory ? entry.name + "/" : entry.name
    }
}
