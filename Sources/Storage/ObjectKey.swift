import Crypto

/// The rules every store applies to keys, and the content-key helpers.
///
/// One set of rules for disk and S3 so that any key accepted by one store is accepted by all:
/// a key is a relative path of non-empty segments that can never climb out of the store's root
/// folder or prefix, and stays printable in listings (S3's listing XML cannot carry most
/// control characters).
public enum ObjectKey {
    /// S3's limit, in UTF-8 bytes.
    public static let maximumLength = 1024

    /// File names a store uses for half-written objects. Keys may not use it, so a crash's
    /// leftovers can never be mistaken for (or collide with) an object.
    public static let reservedSegmentPrefix = ".lenscale-partial-"

    /// Throws `StorageError.invalidKey` unless `key` is safe to use on every store.
    public static func validate(_ key: String) throws(StorageError) {
        let utf8 = key.utf8
        guard !utf8.isEmpty else { throw .invalidKey(key: key, reason: "it is empty") }
        guard utf8.count <= maximumLength else {
            throw .invalidKey(key: key, reason: "it is \(utf8.count) bytes long, more than \(maximumLength)")
        }
        guard utf8.first != UInt8(ascii: "/") else {
            throw .invalidKey(key: key, reason: "it starts with '/' (keys are relative)")
        }
        if let control = utf8.first(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw .invalidKey(key: key, reason: control == 0 ? "it contains a NUL byte" : "it contains a control character")
        }
        for segment in utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            try validate(segment: segment, of: key)
        }
    }

    /// Prefixes for listings are partial keys: empty, or ending mid-segment or in '/'.
    static func validate(prefix: String) throws(StorageError) {
        guard !prefix.isEmpty else { return }
        guard prefix.utf8.count <= maximumLength, prefix.utf8.first != UInt8(ascii: "/"),
              !prefix.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }),
              !prefix.split(separator: "/", omittingEmptySubsequences: false).dropLast().contains(where: { $0 == ".." || $0 == "." })
        else {
            throw .invalidKey(key: prefix, reason: "it is not a valid listing prefix (a relative key, possibly cut short)")
        }
    }

    private static func validate(segment: Substring.UTF8View, of key: String) throws(StorageError) {
        if segment.isEmpty {
            throw .invalidKey(key: key, reason: "it has an empty segment ('//' or a trailing '/')")
        }
        if segment.elementsEqual("..".utf8) || segment.elementsEqual(".".utf8) {
            throw .invalidKey(key: key, reason: "it has a '.' or '..' segment")
        }
        if segment.starts(with: reservedSegmentPrefix.utf8) {
            throw .invalidKey(key: key, reason: "segments starting with '\(reservedSegmentPrefix)' are reserved for partial writes")
        }
    }

    /// True for 64 lowercase hex digits: the shape of `contentKey(for:)`.
    public static func isContentKey(_ key: String) -> Bool {
        key.utf8.count == 64 && key.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The content address of `bytes`: lowercase hex SHA-256.
    public static func contentKey(for bytes: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: bytes))
    }

    /// Orders keys by UTF-8 bytes, as S3 lists them. Swift's `<` on String compares Unicode
    /// canonical forms instead, which would disagree with S3 on non-ASCII keys and break paging.
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// Throws `contentMismatch` when a content key is given bytes with another hash; returns the
    /// hex SHA-256 of `bytes` so S3 can reuse it as the payload hash.
    @discardableResult
    static func verifyContent(_ bytes: [UInt8], key: String) throws(StorageError) -> String {
        let actual = contentKey(for: bytes)
        if isContentKey(key), actual != key { throw .contentMismatch(key: key, actual: actual) }
        return actual
    }
}
