import Multipart
import Testing

/// Reads `body` fed in chunks of `size` and returns each part's head and bytes.
func readParts(_ body: [UInt8], boundary: String = "XyZ", chunk size: Int,
               limits: MultipartReader.Limits = .init()) throws(MultipartError) -> [(MultipartPartHead, [UInt8])] {
    var reader = try MultipartReader(boundary: boundary, limits: limits)
    var parts: [(MultipartPartHead, [UInt8])] = []
    var head: MultipartPartHead?
    var bytes: [UInt8] = []
    var offset = 0
    while offset < body.count {
        let end = min(body.count, offset + size)
        try reader.read(body[offset..<end]) { event in
            switch event {
            case .head(let new): head = new; bytes = []
            case .bytes(let more): bytes += more
            case .end: parts.append((head!, bytes))
            }
        }
        offset = end
    }
    try reader.finish()
    return parts
}

func form(_ parts: [(disposition: String, bytes: [UInt8])], boundary: String = "XyZ", preamble: String = "") -> [UInt8] {
    var body = Array(preamble.utf8)
    for part in parts {
        body += Array("--\(boundary)\r\nContent-Disposition: \(part.disposition)\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
        body += part.bytes
        body += Array("\r\n".utf8)
    }
    body += Array("--\(boundary)--\r\n".utf8)
    return body
}

@Suite("multipart reader")
struct MultipartReaderTests {
    /// Bytes that look like the start of a delimiter inside a part, and a CRLF before its end.
    static let tricky: [UInt8] = Array("a\r\n--XyQ-not\r\r\n-\r\n--Xy".utf8) + [0, 13, 10, 45, 45] + Array(repeating: 13, count: 300)

    @Test("parts, names and bytes come out whole at every chunk size, however the delimiters fall")
    func everyChunkSize() throws {
        let body = form([
            (#"form-data; name="images"; filename="a;b \"c\".jpg""#, Self.tricky),
            (#"form-data; name="note""#, Array("hello".utf8)),
            (#"form-data; name="images"; filename="empty.png""#, []),
        ], preamble: "ignored preamble\r\n")
        for size in [1, 2, 3, 5, 7, 11, 64, body.count] {
            let parts = try readParts(body, chunk: size)
            #expect(parts.count == 3, "chunk \(size)")
            #expect(parts.map(\.0.name) == ["images", "note", "images"], "chunk \(size)")
            #expect(parts.map(\.0.filename) == [#"a;b "c".jpg"#, nil, "empty.png"], "chunk \(size)")
            #expect(parts.map(\.1) == [Self.tricky, Array("hello".utf8), []], "chunk \(size)")
            #expect(parts[0].0.contentType == "image/jpeg")
        }
    }

    @Test("what it keeps between chunks is bounded by a delimiter, not the part")
    func boundedBuffer() throws {
        var reader = try MultipartReader(boundary: "XyZ")
        try reader.read(Array("--XyZ\r\nContent-Disposition: form-data; name=\"images\"\r\n\r\n".utf8)) { _ in }
        var seen = 0
        for _ in 0..<100 {
            try reader.read([UInt8](repeating: 13, count: 65_536)) { if case .bytes(let bytes) = $0 { seen += bytes.count } }
            #expect(reader.bufferedBytes < 16)
        }
        #expect(seen > 100 * 65_536 - 16)
    }

    @Test("limits are checked while reading: parts, head size, name length")
    func limits() throws {
        let three = form((0..<3).map { (#"form-data; name="images"; filename="\#($0).jpg""#, [1, 2, 3]) })
        #expect(throws: MultipartError.tooManyParts(limit: 2)) {
            try readParts(three, chunk: 9, limits: .init(maxParts: 2))
        }
        let longName = form([(#"form-data; name="\#(String(repeating: "n", count: 300))""#, [1])])
        #expect(throws: MultipartError.nameTooLong(limit: 255)) { try readParts(longName, chunk: 100) }
        // A head that never ends is refused once it passes the limit, without waiting for more.
        var reader = try MultipartReader(boundary: "XyZ", limits: .init(maxHeaderBytes: 1024))
        #expect(throws: MultipartError.headersTooLarge(limit: 1024)) {
            try reader.read(Array("--XyZ\r\nX-Filler: ".utf8) + [UInt8](repeating: 65, count: 2000)) { _ in }
        }
    }

    @Test("truncated, boundary-less and malformed bodies are errors, not parts")
    func malformed() throws {
        let body = form([(#"form-data; name="images"; filename="a.jpg""#, [1, 2, 3])])
        #expect(throws: MultipartError.truncated) { try readParts(Array(body.dropLast(8)), chunk: 4) }
        #expect(throws: MultipartError.noDelimiter) { try readParts(Array("no boundary here".utf8), chunk: 4) }
        #expect(throws: MultipartError.self) { try readParts(Array("--XyZ junk\r\n\r\n".utf8), chunk: 4) }
        #expect(throws: MultipartError.malformed("a part header line has no colon")) {
            try readParts(Array("--XyZ\r\nno colon\r\n\r\nx\r\n--XyZ--".utf8), chunk: 3)
        }
        #expect(throws: MultipartError.badBoundary) { try MultipartReader(boundary: "") }
        #expect(throws: MultipartError.badBoundary) { try MultipartReader(boundary: String(repeating: "b", count: 71)) }
        #expect(throws: MultipartError.badBoundary) { try MultipartReader(boundary: "a\r\nb") }
    }

    @Test("a body of carriage returns costs time linear in its length")
    func carriageReturns() throws {
        var reader = try MultipartReader(boundary: "XyZ")
        try reader.read(Array("--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n".utf8)) { _ in }
        let chunk = [UInt8](repeating: 13, count: 1 << 20)
        var bytes = 0
        for _ in 0..<32 { try reader.read(chunk) { if case .bytes(let more) = $0 { bytes += more.count } } }
        #expect(bytes >= 32 * (1 << 20) - 16)
    }
}
