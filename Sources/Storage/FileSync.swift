import Glibc

/// How the file-system store makes a file and its folders durable.
///
/// A seam rather than a flag: tests observe which paths a put syncs (timing cannot show an
/// fsync), and production uses `PosixFileSync`.
public protocol FileSync: Sendable {
    /// Flushes an existing file's bytes to stable storage.
    func syncFile(_ path: String) throws(StorageError)
    /// Flushes a folder's entries, so a file renamed into it survives a crash.
    func syncDirectory(_ path: String) throws(StorageError)
}

/// fsync(2) on the file or folder.
public struct PosixFileSync: FileSync {
    public init() {}

    public func syncFile(_ path: String) throws(StorageError) {
        let fd = Posix.open(path, O_RDONLY)
        guard fd >= 0 else { throw Posix.error("open", path) }
        defer { close(fd) }
        try Posix.fsync(fd, path: path)
    }

    public func syncDirectory(_ path: String) throws(StorageError) {
        try Posix.fsyncDirectory(path)
    }
}
