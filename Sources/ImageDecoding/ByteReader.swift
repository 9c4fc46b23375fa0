/// A bounds-checked cursor over untrusted bytes.
///
/// Every read reports running off the end as `nil` instead of trapping, so header parsers
/// can turn it into `.truncated` for the format at hand.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var offset: Int = 0

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    func byte(at index: Int) -> UInt8? {
        index >= 0 && index < bytes.count ? bytes[index] : nil
    }

    func uint16BE(at index: Int) -> Int? {
        guard let a = byte(at: index), let b = byte(at: index + 1) else { return nil }
        return Int(a) << 8 | Int(b)
    }

    func uint16LE(at index: Int) -> Int? {
        guard let a = byte(at: index), let b = byte(at: index + 1) else { return nil }
        return Int(b) << 8 | Int(a)
    }

    func uint24LE(at index: Int) -> Int? {
        guard let low = uint16LE(at: index), let high = byte(at: index + 2) else { return nil }
        return Int(high) << 16 | low
    }

    func uint32BE(at index: Int) -> Int? {
        guard let high = uint16BE(at: index), let low = uint16BE(at: index + 2) else { return nil }
        return high << 16 | low
    }

    func uint32LE(at index: Int) -> Int? {
        guard let low = uint16LE(at: index), let high = uint16LE(at: index + 2) else { return nil }
        return high << 16 | low
    }

    func matches(_ ascii: String, at index: Int) -> Bool {
        let utf8 = Array(ascii.utf8)
        guard index >= 0, index + utf8.count <= bytes.count else { return false }
        for (i, c) in utf8.enumerated() where bytes[index + i] != c { return false }
        return true
    }

    func slice(_ start: Int, count: Int) -> UnsafeRawBufferPointer? {
        guard start >= 0, count >= 0, start + count <= bytes.count else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<start + count])
    }
}
