/// What a part's headers say about it: its form field name, its file name (a file part has
/// one, a text field has none) and its declared type.
public struct MultipartPartHead: Sendable, Equatable {
    public var name: String?
    public var filename: String?
    public var contentType: String?

    public init(name: String? = nil, filename: String? = nil, contentType: String? = nil) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
    }

    /// Parses a header block: lines of `Name: value`, separated by CRLF. Headers other than
    /// Content-Disposition and Content-Type are skipped; a line without a colon is malformed.
    init(parsing block: ArraySlice<UInt8>, limits: MultipartReader.Limits) throws(MultipartError) {
        for line in block.split(separator: 10, omittingEmptySubsequences: true) {
            let line = line.last == 13 ? line.dropLast() : line
            guard !line.isEmpty else { continue }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw .malformed("a part header line has no colon")
            }
            let field = String(decoding: line[..<colon], as: UTF8.self).trimmingASCIISpaces().lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingASCIISpaces()
            switch field {
            case "content-disposition":
                let parameters = Self.parameters(of: value)
                name = parameters["name"]
                filename = parameters["filename"]
                for text in [name, filename] {
                    if let text, text.utf8.count > limits.maxNameBytes { throw .nameTooLong(limit: limits.maxNameBytes) }
                }
            case "content-type":
                contentType = value
            default:
                continue
            }
        }
    }

    /// The `key=value` and `key="quoted value"` parameters after a header's first `;`, keys
    /// lower-cased. A quoted value may hold `;` and `\"`, as browsers send file names.
    public static func parameters(of value: String) -> [String: String] {
        var result: [String: String] = [:]
        var characters = Array(value.unicodeScalars)[...]
        // Skip the disposition type (`form-data`).
        guard let firstSemicolon = characters.firstIndex(of: ";") else { return result }
        characters = characters[(firstSemicolon + 1)...]
        while !characters.isEmpty {
            while let first = characters.first, first == " " || first == "\t" || first == ";" { characters.removeFirst() }
            guard let equals = characters.firstIndex(of: "=") else { break }
            let key = String(String.UnicodeScalarView(characters[..<equals])).trimmingASCIISpaces().lowercased()
            characters = characters[(equals + 1)...]
            while let first = characters.first, first == " " || first == "\t" { characters.removeFirst() }
            var text = String.UnicodeScalarView()
            if characters.first == "\"" {
                characters.removeFirst()
                while let scalar = characters.popFirst() {
                    if scalar == "\"" { break }
                    if scalar == "\\", let escaped = characters.popFirst() { text.append(escaped) } else { text.append(scalar) }
                }
                if let semicolon = characters.firstIndex(of: ";") { characters = characters[semicolon...] } else { characters = [] }
            } else {
                let end = characters.firstIndex(of: ";") ?? characters.endIndex
                text.append(contentsOf: characters[..<end])
                characters = characters[end...]
            }
            if result[key] == nil { result[key] = String(text).trimmingASCIISpaces() }
        }
        return result
    }
}

extension String {
    func trimmingASCIISpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[first...last])
    }
}
