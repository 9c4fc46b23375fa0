#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ImageDecoding

/// Reads whole files into byte arrays with one allocation and no Foundation bridging.
///
/// The size is checked against the decode limit before reading, so a 10 GB file named `.jpg`
/// is refused without being read.
public enum FileReader {
    public static func read(_ path: String, maxBytes: Int) throws(ClassificationError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: errnoDescription()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, reason: errnoDescription()) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw .unreadable(path: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        if size == 0 { throw .decode(.empty) }
        if size > maxBytes { throw .decode(.tooManyBytes(count: size, limit: maxBytes)) }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        var failure: String?
        bytes.withUnsafeMutableBytes { buffer in
            while filled < size {
                let count = Glibc.read(fd, buffer.baseAddress! + filled, size - filled)
                if count < 0 && errno == EINTR { continue }
                if count < 0 { failure = errnoDescription(); return }
                if count == 0 { break }
                filled += count
            }
        }
        if let failure { throw .unreadable(path: path, reason: failure) }
        // A file that shrank while we read it is classified as what we got.
        return filled == size ? bytes : Array(bytes.prefix(filled))
    }

    static func errnoDescription() -> String {
        String(cString: strerror(errno))
    }
}
