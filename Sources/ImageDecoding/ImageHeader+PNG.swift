extension ImageHeader {
    /// Reads IHDR, looks for an `eXIf` chunk before the image data for the orientation, and
    /// checks that every chunk's declared length fits in the file.
    ///
    /// Why every chunk: libpng allocates a text or profile chunk's declared length before it
    /// reads a byte of it, so a 240 KB file whose `iTXt` claims 2 GB made it take 2.2 GB (found
    /// by bench/fuzz). A length past the end of the data is a truncated or lying file either way,
    /// refused here before libpng sees it.
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
        var seenImageData = false
        while index < reader.bytes.count {
            guard let length = reader.uint32BE(at: index), index + 12 + length <= reader.bytes.count else {
                throw .truncated(format: .png)
            }
            if reader.matches("IEND", at: index + 4) { break }
            if reader.matches("IDAT", at: index + 4) { seenImageData = true }
            if !seenImageData, reader.matches("eXIf", at: index + 4), let exif = reader.slice(index + 8, count: length) {
                header.orientation = Orientation(exif: exif) ?? .up
            }
            index += 12 + length
        }
        return header
    }
}
