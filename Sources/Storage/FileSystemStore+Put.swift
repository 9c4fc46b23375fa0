import Glibc

extension FileSystemStore {
    /// A file has no media type of its own: the bytes say what they are.
    public func put(_ bytes: [UInt8], key: String, mediaType: String?) async throws(StorageError) -> PutOutcome {
        let location = try location(of: key)
        let sync = self.sync
        // The content check hashes the whole object: off the shared threads too (see BlockingIO).
        return try await BlockingIO.run { () throws(StorageError) -> PutOutcome in
            try ObjectKey.verifyContent(bytes, key: key)
            return try Self.write(bytes, to: location, key: key, sync: sync)
        }
    }

    /// Writes through a temporary file so the object appears whole or not at all.
    static func write(_ bytes: [UInt8], to location: FileLocation, key: String, sync: any FileSync) throws(StorageError) -> PutOutcome {
        if let existing = Posix.status(location.path) {
            guard Posix.isRegularFile(existing) else { throw conflict(key) }
            try syncExisting(location, sync: sync)
            return .alreadyPresent
        }
        do {
            try Posix.makeDirectories(location.directory)
        } catch {
            // A file where a folder should be: an object named like one of this key's parents.
            // (The root and namespace folders are ours: a file there is an I/O problem, not a key's.)
            if location.ancestors.dropFirst(2).contains(where: { Posix.status($0).map { !Posix.isDirectory($0) } ?? false }) {
                throw conflict(key)
            }
            throw error
        }
        let temporary = try writeTemporaryFile(bytes, in: location.directory)
        let published: Bool
        do {
            published = try Posix.publish(temporary, to: location.path)
        } catch {
            unlink(temporary)
            throw error
        }
        guard published else {
            unlink(temporary)
            try syncExisting(location, sync: sync)
            return .alreadyPresent
        }
        // Innermost first: the new file's entry, then each folder's entry in its parent.
        for folder in location.ancestors.reversed() {
            try sync.syncDirectory(folder)
        }
        return .stored
    }

    /// "Already present" is an acknowledgement too: the file found may be one a crashed writer
    /// renamed into place without its folders' fsync (or whose bytes are still only in the page
    /// cache), so it is made durable before the caller is told its object is stored.
    private static func syncExisting(_ location: FileLocation, sync: any FileSync) throws(StorageError) {
        try sync.syncFile(location.path)
        for folder in location.ancestors.reversed() {
            try sync.syncDirectory(folder)
        }
    }

    /// A fresh, fsynced file holding `bytes`, named with the reserved partial-write prefix.
    private static func writeTemporaryFile(_ bytes: [UInt8], in directory: String) throws(StorageError) -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            let path = directory + "/" + ObjectKey.reservedSegmentPrefix + Hex.encode(withUnsafeBytes(of: generator.next() as UInt64) { Array($0) })
            let fd = Posix.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            if fd < 0, errno == EEXIST { continue }
            guard fd >= 0 else { throw Posix.error("open", path) }
            do {
                try Posix.writeAll(fd, bytes, path: path)
                try Posix.fsync(fd, path: path)
            } catch {
                close(fd)
                unlink(path)
                throw error
            }
            guard close(fd) == 0 else {
                let failure = Posix.error("close", path)
                unlink(path)
                throw failure
            }
            return path
        }
    }

    private static func conflict(_ key: String) -> StorageError {
        .invalidKey(key: key, reason: "the file-system store cannot hold both a key and other keys below it "
            + "(like 'a' and 'a/b'); rename one of them")
    }
}
