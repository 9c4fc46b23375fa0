/// The cursor behind `XMLElementTree.parse`.
struct XMLReader {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(StorageError) -> XMLElementTree {
        var stack: [XMLElementTree] = []
        var root: XMLElementTree?
        var text: [UInt8] = []
        while index < bytes.count {
            if bytes[index] != UInt8(ascii: "<") {
                text.append(bytes[index]); index += 1
                continue
            }
            if starts(with: "<![CDATA[") {
                let end = try find("]]>", from: index + 9)
                text += rawCharacterData(bytes[(index + 9)..<end])
                index = end + 3
            } else if starts(with: "<!--") {
                index = try find("-->", from: index + 4) + 3
            } else if starts(with: "<?") {
                index = try find("?>", from: index + 2) + 2
            } else if starts(with: "<!") {
                index = try find(">", from: index + 2) + 1
            } else if starts(with: "</") {
                let end = try find(">", from: index + 2)
                let name = localName(bytes[(index + 2)..<end].prefix { !Self.isSpace($0) })
                guard var element = stack.popLast(), element.name == name else {
                    throw .invalidResponse("XML closes <\(name)> that is not open")
                }
                element.text += try decodeEntities(text)
                text = []
                index = end + 1
                if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
            } else {
                let end = try findTagEnd(from: index + 1)
                let selfClosing = bytes[end - 1] == UInt8(ascii: "/")
                let tag = bytes[(index + 1)..<(selfClosing ? end - 1 : end)]
                let name = localName(tag.prefix { !Self.isSpace($0) })
                if !stack.isEmpty { stack[stack.count - 1].text += try decodeEntities(text) }
                text = []
                index = end + 1
                let element = XMLElementTree(name: name)
                if selfClosing {
                    if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
                } else {
                    stack.append(element)
                }
            }
        }
        guard stack.isEmpty, let root else { throw .invalidResponse("XML document is truncated or empty") }
        return root
    }

    private func starts(with marker: String) -> Bool {
        bytes[index...].starts(with: marker.utf8)
    }

    private func find(_ marker: String, from start: Int) throws(StorageError) -> Int {
        let pattern = Array(marker.utf8)
        var position = start
        while position + pattern.count <= bytes.count {
            if bytes[position..<(position + pattern.count)].elementsEqual(pattern) { return position }
            position += 1
        }
        throw .invalidResponse("XML ends before '\(marker)'")
    }

    /// The `>` ending a start tag, skipping any inside quoted attribute values.
    private func findTagEnd(from start: Int) throws(StorageError) -> Int {
        var quote: UInt8?
        for position in start..<bytes.count {
            let byte = bytes[position]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return position
            }
        }
        throw .invalidResponse("XML ends inside a tag")
    }

    private func localName(_ name: ArraySlice<UInt8>) -> String {
        let local = name.lastIndex(of: UInt8(ascii: ":")).map { name[($0 + 1)...] } ?? name
        return String(decoding: local, as: UTF8.self)
    }

    /// CDATA is taken verbatim; the `&` it may contain must survive entity decoding, so it is
    /// escaped here and decoded back with the surrounding text.
    private func rawCharacterData(_ data: ArraySlice<UInt8>) -> [UInt8] {
        data.flatMap { $0 == UInt8(ascii: "&") ? Array("&amp;".utf8) : [$0] }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
