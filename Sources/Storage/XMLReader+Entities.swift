extension XMLReader {
    /// Replaces the five predefined entities and numeric character references.
    func decodeEntities(_ text: [UInt8]) throws(StorageError) -> String {
        guard text.contains(UInt8(ascii: "&")) else { return String(decoding: text, as: UTF8.self) }
        var out = ""
        var position = 0
        while position < text.count {
            guard text[position] == UInt8(ascii: "&") else {
                let next = text[position...].firstIndex(of: UInt8(ascii: "&")) ?? text.count
                out += String(decoding: text[position..<next], as: UTF8.self)
                position = next
                continue
            }
            guard let end = text[position...].firstIndex(of: UInt8(ascii: ";")) else {
                throw .invalidResponse("XML has an unterminated entity")
            }
            let entity = String(decoding: text[(position + 1)..<end], as: UTF8.self)
            out += try Self.expand(entity)
            position = end + 1
        }
        return out
    }

    private static func expand(_ entity: String) throws(StorageError) -> String {
        switch entity {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            let scalar: UInt32?
            if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                scalar = UInt32(entity.dropFirst(2), radix: 16)
            } else if entity.hasPrefix("#") {
                scalar = UInt32(entity.dropFirst(1))
            } else {
                scalar = nil
            }
            guard let scalar, let character = Unicode.Scalar(scalar) else {
                throw .invalidResponse("XML has an unknown entity '&\(entity);'")
            }
            return String(Character(character))
        }
    }
}
