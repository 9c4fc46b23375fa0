import Crypto
import Foundation

/// The SHA-256 content address of a file: the key of the object store, the catalog and every
/// cache, and the "exact duplicate" tier.
///
/// It is a value type over the 32 digest bytes so keys compare and hash cheaply; the 64-digit
/// lowercase hex form is what users, URLs and storage paths see.
public struct ContentHash: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Hashes `data` in one call.
    public init<Bytes: ContiguousBytes>(of data: Bytes) {
        var hasher = SHA256()
        data.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        bytes = Array(hasher.finalize())
    }

    /// Parses a 64-digit hex string (either case); nil for anything else.
    public init?(hex: some StringProtocol) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(utf8[i]), let low = Self.nibble(utf8[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    init(digest: [UInt8]) {
        bytes = digest
    }

    /// Lowercase hex, 64 digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    public static func < (lhs: ContentHash, rhs: ContentHash) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Computes a content hash incrementally, for bodies and files that arrive in chunks.
public struct ContentHasher: Sendable {
    var state = SHA256()

    public init() {}

    public mutating func update<Bytes: ContiguousBytes>(_ chunk: Bytes) {
        chunk.withUnsafeBytes { state.update(bufferPointer: $0) }
    }

    public func finalize() -> ContentHash {
        ContentHash(digest: Array(state.finalize()))
    }
}
