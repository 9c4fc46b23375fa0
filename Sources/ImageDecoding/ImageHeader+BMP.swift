extension ImageHeader {
    /// Reads a BMP's size from its info header; the layout is checked in full here, so a file
    /// the decoder would refuse is refused before any pixel memory is reserved for it.
    static func readBMP(_ reader: ByteReader) throws(DecodeError) -> ImageHeader {
        let layout = try BMPLayout.parse(reader)
        return ImageHeader(format: .bmp, width: layout.width, height: layout.height)
    }
}
