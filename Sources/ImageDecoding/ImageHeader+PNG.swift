extension ImageHeader {
    /// Reads IHDR, then looks for an `eXIf` chunk before the image data for the orientation.
    static func readPNG(_ reader: ByteReader) throws(DecodeError) -> ImageHeader {
        // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4).
        guard reader.bytes.count >= 33 else { throw .truncated(format: .png) }
        guard reader.matches("IHDR", at: 12),
              let width = reader.uint32BE(at: 16),
              let height = reader.uint32BE(at: 20)
        else { throw .corrupt(format: .png, detail: "the first chunk is not IHDR") }
        var header = ImageHeader(format: .png, width: width, height: height)
        header.isSixteenBit = reader.byte(at: 24) == 16
        var index = 8
        while let length = reader.uint32BE(at: index), index + 12 + length <= reader.bytes.count {
            if reader.matches("IDAT", at: index + 4) || reader.matches("IEND", at: index + 4) { break }
            if reader.matches("eXIf", at: index + 4), let exif = reader.slice(index + 8, count: length) {
                header.orientation = Orientation(exif: exif) ?? .up
            }
            index += 12 + length
        }
        return header
    }
}
