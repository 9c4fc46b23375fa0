#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to stderr and terminal detection.
enum Terminal {
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    static func error(_ text: String) {
        var line = text
        line.withUTF8 { buffer in _ = write(STDERR_FILENO, buffer.baseAddress, buffer.count) }
    }

    /// A line on stdout at once, for lines other programs wait for (the address a server took).
    static func output(_ text: String) {
        var line = text
        line.withUTF8 { buffer in _ = write(STDOUT_FILENO, buffer.baseAddress, buffer.count) }
    }
}
