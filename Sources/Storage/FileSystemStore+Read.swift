import Glibc

extension FileSystemStore {
    public func get(_ key: String) async throws(StorageError) -> [UInt8] {
        let location = try location(of: key)
        return try await BlockingIO.run { () throws(StorageError) -> [UInt8] in
            let fd = Posix.open(location.path, O_RDONLY)
            guard fd >= 0 else {
                if errno == ENOENT || errno == ENOTDIR { throw .notFound(key) }
                throw Posix.error("open", location.path)
            }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw Posix.error("fstat", location.path) }
            // A folder at the key's path only holds deeper keys; it is not an object.
            guard Posix.isRegularFile(info) else { throw .notFound(key) }
            return try Posix.readAll(fd, sizeHint: Int(info.st_size), path: location.path)
        }
    }

    public func head(_ key: String) async throws(StorageError) -> ObjectInfo? {
        let location = try location(of: key)
        return try await BlockingIO.run { () throws(StorageError) -> ObjectInfo? in
            var info = stat()
            guard lstat(location.path, &info) == 0 else {
                if errno == ENOENT || errno == ENOTDIR { return nil }
                throw Posix.error("lstat", location.path)
            }
            return Posix.isRegularFile(info) ? ObjectInfo(key: key, size: Int(info.st_size)) : nil
        }
    }

    public func delete(_ key: String) async throws(StorageError) {
        let location = try location(of: key)
        try await BlockingIO.run { () throws(StorageError) in
            guard unlink(location.path) != 0 else { return }
            // Missing, or a folder of deeper keys: either way there is no object to remove.
            if errno == ENOENT || errno == ENOTDIR || errno == EISDIR { return }
            throw Posix.error("unlink", location.path)
        }
    }
}
