import Glibc

/// The few POSIX calls the file-system store needs, each turning `errno` into `StorageError.io`.
///
/// Raw syscalls rather than FileManager because durability needs calls FileManager does not
/// offer (fsync of a file and of its folder, a rename that refuses to replace) and because each
/// failure should name the exact call and path.
enum Posix {
    /// A full disk gets its own case because it is the one I/O failure that clears by itself
    /// (or by an operator freeing space) and that callers answer differently (HTTP 507).
    static func error(_ operation: String, _ path: String, _ code: Int32 = errno) -> StorageError {
        if code == ENOSPC || code == EDQUOT { return .storageFull(path: path, operation: operation) }
        return .io(path: path, operation: operation, message: String(cString: strerror(code)))
    }

    /// Retries a call interrupted by a signal, which POSIX allows any slow call to be.
    static func retryingEINTR(_ call: () -> Int) -> Int {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }

    static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        Int32(retryingEINTR { Int(Glibc.open(path, flags | O_CLOEXEC, mode)) })
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StorageError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                retryingEINTR { Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset) }
            }
            guard written > 0 else { throw error("write", path) }
            offset += written
        }
    }

    /// Reads the whole file; `sizeHint` (from fstat) only sizes the first allocation, so a file
    /// that grows or shrinks while read is still read to its end.
    static func readAll(_ fd: Int32, sizeHint: Int, path: String) throws(StorageError) -> [UInt8] {
        // One spare byte so the read that finds EOF needs no reallocation of a large buffer.
        var bytes = [UInt8](repeating: 0, count: max(sizeHint + 1, 4096))
        var count = 0
        while true {
            if count == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let read = bytes.withUnsafeMutableBytes { buffer in
                retryingEINTR { Glibc.read(fd, buffer.baseAddress! + count, buffer.count - count) }
            }
            guard read >= 0 else { throw error("read", path) }
            if read == 0 { break }
            count += read
        }
        bytes.removeSubrange(count...)
        return bytes
    }

    static func fsync(_ fd: Int32, path: String) throws(StorageError) {
        guard retryingEINTR({ Int(Glibc.fsync(fd)) }) == 0 else { throw error("fsync", path) }
    }

    /// Makes a new directory entry durable: without it a crash can lose a renamed file even
    /// though the file's own bytes were fsynced.
    static func fsyncDirectory(_ path: String) throws(StorageError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw error("open", path) }
        defer { close(fd) }
        try fsync(fd, path: path)
    }

    /// Creates `path` and any missing parents; true when this call created the last one.
    /// A concurrent creator winning the race is fine, so EEXIST on a directory is success.
    @discardableResult
    static func makeDirectories(_ path: String) throws(StorageError) -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        switch errno {
        case EEXIST:
            guard isDirectory(path) else { throw error("mkdir", path, ENOTDIR) }
            return false
        case ENOENT:
            let parent = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
            guard !parent.isEmpty, parent != path else { throw error("mkdir", path) }
            try makeDirectories(parent)
            if mkdir(path, 0o755) == 0 { return true }
            if errno == EEXIST, isDirectory(path) { return false }
            throw error("mkdir", path)
        default:
            throw error("mkdir", path)
        }
    }

    static func status(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    static func isDirectory(_ path: String) -> Bool {
        status(path).map(isDirectory) ?? false
    }

    static func isDirectory(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFDIR }

    static func isRegularFile(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFREG }
}
