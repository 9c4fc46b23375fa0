#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One output file written by appending whole batches, then fsyncing.
///
/// Each batch is one `write` call where the kernel allows (a SIGKILL cannot tear a write to a
/// regular file), and the checkpoint records the length after every fsync, so a resumed run
/// truncates to the last checkpointed length and every file holds whole batches only.
final class AppendFile {
    let path: String
    private let fd: Int32
    private(set) var length: Int

    init(path: String) throws(BatchError) {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .output(path: path, reason: Self.failure("open")) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .output(path: path, reason: Self.failure("fstat")) }
        length = Int(info.st_size)
    }

    deinit { close(fd) }

    func append(_ data: Data) throws(BatchError) {
        try write(data, at: length)
        length += data.count
    }

    /// Writes at `offset` without moving the end (the .npy header).
    func write(_ data: Data, at offset: Int) throws(BatchError) {
        var failure: String?
        data.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let count = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { failure = Self.failure("write"); return }
                done += count
            }
        }
        if let failure { throw .output(path: path, reason: failure) }
    }

    func sync() throws(BatchError) {
        guard fsync(fd) == 0 else { throw .output(path: path, reason: Self.failure("fsync")) }
    }

    func truncate(to newLength: Int) throws(BatchError) {
        guard ftruncate(fd, off_t(newLength)) == 0 else { throw .output(path: path, reason: Self.failure("ftruncate")) }
        length = newLength
    }

    func readAll() throws(BatchError) -> Data {
        var data = Data(count: length)
        var failure: String?
        let total = length
        data.withUnsafeMutableBytes { raw in
            var done = 0
            while done < total {
                let count = pread(fd, raw.baseAddress! + done, total - done, off_t(done))
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { failure = Self.failure("read"); return }
                done += count
            }
        }
        if let failure { throw .output(path: path, reason: failure) }
        return data
    }

    /// Takes an exclusive lock on the file, failing at once if another process holds it.
    func lockExclusively() throws(BatchError) {
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            throw .output(path: path, reason: errno == EWOULDBLOCK
                ? "another lenscale batch is writing this folder; wait for it or pass another --out"
                : Self.failure("flock"))
        }
    }

    static func failure(_ call: String) -> String {
        "\(call): \(String(cString: strerror(errno)))"
    }
}
