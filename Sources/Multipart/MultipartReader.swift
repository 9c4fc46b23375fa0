#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a `multipart/form-data` body (RFC 7578) as it arrives, chunk by chunk, and reports
/// each part's head, its bytes and its end as they are found.
///
/// Why our own: a parser that needs the whole body holds all of it at once (256 MiB for a
/// batch) before the first image can be stored, and MultipartKit 4 allocated a buffer for
/// every `\r` it met, so a body of carriage returns held a thread for seconds. This one keeps
/// at most one part head, or one delimiter's length of bytes, besides what the caller keeps;
/// it finds delimiters with `memchr`, so any body costs time linear in its length; and its
/// limits (parts, head size, name length) are checked while reading, before anything is kept.
public struct MultipartReader: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Parts in one body, of any name.
        public var maxParts: Int
        /// Bytes of one part's header block.
        public var maxHeaderBytes: Int
        /// Bytes of a part's `name` or `filename`.
        public var maxNameBytes: Int

        public init(maxParts: Int = 10_000, maxHeaderBytes: Int = 8 * 1024, maxNameBytes: Int = 255) {
            self.maxParts = maxParts
            self.maxHeaderBytes = maxHeaderBytes
            self.maxNameBytes = maxNameBytes
        }
    }

    public enum Event: Sendable {
        /// A part begins; its bytes follow.
        case head(MultipartPartHead)
        /// Some of the current part's bytes, in order. Valid only during the call.
        case bytes(ArraySlice<UInt8>)
        /// The current part is complete.
        case end
    }

    enum State: Sendable {
        case preamble, afterDelimiter, headers, body, epilogue
    }

    let limits: Limits
    /// `CRLF--boundary`: what ends a part and begins the next.
    let delimiter: [UInt8]
    /// Bytes read but not yet reported: never more than a part head or a delimiter's length.
    var pending: [UInt8]
    var state = State.preamble
    var parts = 0

    /// - Throws: `.badBoundary` unless `boundary` is 1 to 70 of the characters RFC 2046 allows.
    public init(boundary: String, limits: Limits = Limits()) throws(MultipartError) {
        let bytes = Array(boundary.utf8)
        guard (1...70).contains(bytes.count), bytes.allSatisfy(Self.isBoundaryByte), bytes.last != UInt8(ascii: " ") else {
            throw .badBoundary
        }
        self.limits = limits
        self.delimiter = Array("\r\n--".utf8) + bytes
        // The first delimiter may open the body without a line break before it; a CRLF in
        // front lets one search find both.
        self.pending = [13, 10]
    }

    /// Bytes kept between calls: at most `limits.maxHeaderBytes` plus a delimiter.
    public var bufferedBytes: Int { pending.count }

    /// Reads the next chunk of the body, reporting what it completes to `handle` in order.
    public mutating func read(_ chunk: some Collection<UInt8>, _ handle: (Event) -> Void) throws(MultipartError) {
        if state == .epilogue { return }
        pending.append(contentsOf: chunk)
        var start = 0
        defer { pending.removeSubrange(0..<start) }
        while start < pending.count {
            switch state {
            case .preamble:
                // Text before the first delimiter is ignored, as RFC 2046 says.
                if let found = find(delimiter, from: start) {
                    start = found + delimiter.count
                    state = .afterDelimiter
                } else {
                    start = max(start, pending.count - (delimiter.count - 1))
                    return
                }
            case .afterDelimiter:
                guard let next = try delimiterLineEnd(from: start) else { return }
                if next == -1 {
                    state = .epilogue
                    start = pending.count
                    return
                }
                start = next
                state = .headers
            case .headers:
                guard let end = headerBlockEnd(from: start) else {
                    if pending.count - start > limits.maxHeaderBytes { throw .headersTooLarge(limit: limits.maxHeaderBytes) }
                    return
                }
                guard end.block - start <= limits.maxHeaderBytes else { throw .headersTooLarge(limit: limits.maxHeaderBytes) }
                parts += 1
                guard parts <= limits.maxParts else { throw .tooManyParts(limit: limits.maxParts) }
                let head = try MultipartPartHead(parsing: pending[start..<end.block], limits: limits)
                handle(.head(head))
                start = end.next
                state = .body
            case .body:
                if let found = find(delimiter, from: start) {
                    if found > start { handle(.bytes(pending[start..<found])) }
                    handle(.end)
                    start = found + delimiter.count
                    state = .afterDelimiter
                } else {
                    // Keep what could be the start of a delimiter cut by the chunk's end.
                    let keep = max(start, pending.count - (delimiter.count - 1))
                    if keep > start { handle(.bytes(pending[start..<keep])) }
                    start = keep
                    return
                }
            case .epilogue:
                start = pending.count
                return
            }
        }
    }

    /// Call when the body has ended: throws `.truncated` unless the closing delimiter came.
    public func finish() throws(MultipartError) {
        guard state == .epilogue else { throw state == .preamble && parts == 0 ? .noDelimiter : .truncated }
    }
}

extension MultipartReader {
    /// After a delimiter: `--` closes the body (returns -1); otherwise optional spaces or tabs
    /// and CRLF (returns the index after it). Nil when more bytes are needed.
    func delimiterLineEnd(from start: Int) throws(MultipartError) -> Int? {
        var index = start
        if pending.count - index >= 2, pending[index] == UInt8(ascii: "-"), pending[index + 1] == UInt8(ascii: "-") { return -1 }
        if pending.count - index == 1, pending[index] == UInt8(ascii: "-") { return nil }
        while index < pending.count, pending[index] == 32 || pending[index] == 9 {
            index += 1
            guard index - start <= 64 else { throw .malformed("spaces after a boundary without a line break") }
        }
        guard pending.count - index >= 2 else { return nil }
        guard pending[index] == 13, pending[index + 1] == 10 else { throw .malformed("a boundary line must end with CRLF") }
        return index + 2
    }

    /// Where a part's header block ends (before its blank line) and its body begins.
    func headerBlockEnd(from start: Int) -> (block: Int, next: Int)? {
        // No headers at all: the blank line comes at once.
        if pending.count - start >= 2, pending[start] == 13, pending[start + 1] == 10 { return (start, start + 2) }
        let limit = min(pending.count, start + limits.maxHeaderBytes + 4)
        guard let found = find([13, 10, 13, 10], from: start, before: limit) else { return nil }
        return (found, found + 4)
    }

    /// The first index of `needle` in `pending` at or after `start` (and ending by `before`).
    func find(_ needle: [UInt8], from start: Int, before end: Int? = nil) -> Int? {
        let end = end ?? pending.count
        guard end - start >= needle.count else { return nil }
        return pending.withUnsafeBufferPointer { haystack in
            needle.withUnsafeBufferPointer { needle in
                guard let base = haystack.baseAddress, let first = needle.first else { return nil }
                var index = start
                let lastStart = end - needle.count
                while index <= lastStart {
                    guard let hit = memchr(base + index, Int32(first), lastStart - index + 1) else { return nil }
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + at, needle.baseAddress!, needle.count) == 0 { return at }
                    index = at + 1
                }
                return nil
            }
        }
    }

    static let boundaryPunctuation = Set("'()+_,-./:=? ".utf8)

    /// RFC 2046's `bchars`.
    static func isBoundaryByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        default: boundaryPunctuation.contains(byte)
        }
    }
}
