/// Percent-encoding exactly as SigV4 canonicalizes it.
///
/// The bytes sent and the bytes signed must be identical, so the request URL is built with these
/// same functions rather than Foundation's, whose rules differ (it leaves `$`, `+`, `=`, … as
/// they are, and S3 would then see another canonical request and reject the signature).
enum AWSURIEncoding {
    /// Everything but `A-Z a-z 0-9 - _ . ~` becomes `%XX` (uppercase hex) of its UTF-8 bytes;
    /// `/` is kept when encoding a path, since S3 object names use it as a separator.
    static func encode(_ string: String, keepingSlashes: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            if isUnreserved(byte) || (keepingSlashes && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The canonical query string: each name and value encoded, sorted by name then value, joined
    /// with `&`. A parameter without a value still gets its `=`.
    static func canonicalQuery(_ items: [(name: String, value: String)]) -> String {
        items.map { (encode($0.name, keepingSlashes: false), encode($0.value, keepingSlashes: false)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
