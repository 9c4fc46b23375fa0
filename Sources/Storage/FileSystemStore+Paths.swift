/// Where one key lives on disk.
struct FileLocation: Sendable {
    /// The folder holding the object, and its temporary files while it is written.
    var directory: String
    /// The object's file.
    var path: String
    /// Folders between the store's root and `directory`, outermost first: each one's entry in its
    /// parent must be durable too, or a crash could lose a committed object with its folder.
    var ancestors: [String]
}

extension FileSystemStore {
    /// Validates `key` and maps it to its file.
    func location(of key: String) throws(StorageError) -> FileLocation {
        try ObjectKey.validate(key)
        if ObjectKey.isContentKey(key) {
            let first = contentRoot + "/" + key.prefix(2)
            let second = first + "/" + key.dropFirst(2).prefix(2)
            return FileLocation(directory: second, path: second + "/" + key, ancestors: [rootPath, contentRoot, first, second])
        }
        let path = namedRoot + "/" + key
        let directory = String(path[..<path.lastIndex(of: "/")!])
        var ancestors = [rootPath, namedRoot]
        var folder = namedRoot
        for segment in key.split(separator: "/").dropLast() {
            folder += "/" + segment
            ancestors.append(folder)
        }
        return FileLocation(directory: directory, path: path, ancestors: ancestors)
    }
}
