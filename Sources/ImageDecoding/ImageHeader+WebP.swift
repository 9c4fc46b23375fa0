extension ImageHeader {
    /// Reads the first chunk of a WebP RIFF container: `VP8 ` (lossy), `VP8L` (lossless) or
    /// `VP8X` (extended, which may carry an EXIF chunk with the orientation).
    static func readWebP(_ reader: ByteReader) throws(DecodeError) -> ImageHeader {
        guard reader.bytes.count >= 30 else { throw .truncated(format: .webp) }
        let chunk = 12
        if reader.matches("VP8 ", at: chunk) {
            // Frame tag (3), start code 9d 01 2a (3), then 14-bit width and height.
            guard reader.byte(at: chunk + 11) == 0x9D, reader.byte(at: chunk + 12) == 0x01, reader.byte(at: chunk + 13) == 0x2A,
                  let width = reader.uint16LE(at: chunk + 14), let height = reader.uint16LE(at: chunk + 16)
            else { throw .corrupt(format: .webp, detail: "bad VP8 frame header") }
            return ImageHeader(format: .webp, width: width & 0x3FFF, height: height & 0x3FFF)
        }
        if reader.matches("VP8L", at: chunk) {
            guard reader.byte(at: chunk + 8) == 0x2F, let bits = reader.uint32LE(at: chunk + 9) else {
                throw .corrupt(format: .webp, detail: "bad VP8L header")
            }
            return ImageHeader(format: .webp, width: (bits & 0x3FFF) + 1, height: ((bits >> 14) & 0x3FFF) + 1)
        }
        if reader.matches("VP8X", at: chunk) {
            guard let widthMinusOne = reader.uint24LE(at: chunk + 12), let heightMinusOne = reader.uint24LE(at: chunk + 15) else {
                throw .truncated(format: .webp)
            }
            var header = ImageHeader(format: .webp, width: widthMinusOne + 1, height: heightMinusOne + 1)
            let hasEXIF = (reader.byte(at: chunk + 8) ?? 0) & 0x08 != 0
            var index = chunk
            while hasEXIF, let size = reader.uint32LE(at: index + 4) {
                if reader.matches("EXIF", at: index), let exif = reader.slice(index + 8, count: size) {
                    // Some writers keep the "Exif\0\0" prefix that JPEG uses; skip it if present.
                    let tiff = ByteReader(exif).matches("Exif\0\0", at: 0) ? UnsafeRawBufferPointer(rebasing: exif.dropFirst(6)) : exif
                    header.orientation = Orientation(exif: tiff) ?? .up
                    break
                }
                index += 8 + size + (size & 1)
            }
            return header
        }
        throw .corrupt(format: .webp, detail: "unknown first chunk")
    }
}
