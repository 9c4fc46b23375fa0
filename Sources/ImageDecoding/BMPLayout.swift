/// Where a BMP file keeps what, read from its headers with every offset and size checked.
///
/// BMP has no library in the foundations and is simple enough to parse ourselves; simple, but
/// every field (sizes, offsets, palette length, bit masks) is hostile input.
struct BMPLayout {
    enum Compression: Int {
        case none = 0, rle8 = 1, rle4 = 2, bitfields = 3, alphaBitfields = 6
    }

    var width: Int
    var height: Int
    /// Rows are stored top row first (a negative height in the header); bottom first otherwise.
    var topDown: Bool
    var bitsPerPixel: Int
    var compression: Compression
    /// Red, green and blue masks for 16- and 32-bit pixels.
    var masks: (red: UInt32, green: UInt32, blue: UInt32)
    /// The colour table as RGB triples (1 to 8 bits per pixel).
    var palette: [UInt8]
    var dataOffset: Int

    static func parse(_ reader: ByteReader) throws(DecodeError) -> BMPLayout {
        guard reader.matches("BM", at: 0), let dataOffset = reader.uint32LE(at: 10), let dibSize = reader.uint32LE(at: 14) else {
            throw .truncated(format: .bmp)
        }
        var layout: BMPLayout
        if dibSize == 12 {  // OS/2 BITMAPCOREHEADER: 16-bit sizes, no compression
            guard let width = reader.uint16LE(at: 18), let height = reader.uint16LE(at: 20), let bits = reader.uint16LE(at: 24) else {
                throw .truncated(format: .bmp)
            }
            layout = BMPLayout(width: width, height: height, topDown: false, bitsPerPixel: bits, compression: .none,
                               masks: (0, 0, 0), palette: [], dataOffset: dataOffset)
        } else if dibSize >= 40 && dibSize <= 1024 {
            guard let rawWidth = reader.uint32LE(at: 18), let rawHeight = reader.uint32LE(at: 22),
                  let bits = reader.uint16LE(at: 28), let method = reader.uint32LE(at: 30)
            else { throw .truncated(format: .bmp) }
            let width = Int(Int32(truncatingIfNeeded: rawWidth)), height = Int(Int32(truncatingIfNeeded: rawHeight))
            guard width > 0, height != 0, height != Int(Int32.min) else {
                throw .corrupt(format: .bmp, detail: "the header declares a \(width)×\(height) image")
            }
            guard let compression = Compression(rawValue: method) else {
                throw .unsupportedFormat("BMP with compression method \(method) (JPEG, PNG or CMYK inside a BMP)")
            }
            layout = BMPLayout(width: width, height: abs(height), topDown: height < 0, bitsPerPixel: bits, compression: compression,
                               masks: (0, 0, 0), palette: [], dataOffset: dataOffset)
        } else {
            throw .corrupt(format: .bmp, detail: "unknown info header size \(dibSize)")
        }
        try layout.readMasks(reader, dibSize: dibSize)
        try layout.readPalette(reader, dibSize: dibSize)
        guard dataOffset >= 14 + dibSize, dataOffset <= reader.bytes.count else { throw .truncated(format: .bmp) }
        return layout
    }

    private mutating func readMasks(_ reader: ByteReader, dibSize: Int) throws(DecodeError) {
        switch (compression, bitsPerPixel) {
        case (.none, 1), (.none, 2), (.none, 4), (.none, 8), (.none, 24), (.rle8, 8), (.rle4, 4):
            return
        case (.none, 16):
            masks = (0x7C00, 0x03E0, 0x001F)
        case (.none, 32):
            masks = (0xFF_0000, 0xFF00, 0xFF)
        case (.bitfields, 16), (.bitfields, 32), (.alphaBitfields, 16), (.alphaBitfields, 32):
            // The masks follow a 40-byte header, or sit inside the larger ones at the same place.
            guard let red = reader.uint32LE(at: 54), let green = reader.uint32LE(at: 58), let blue = reader.uint32LE(at: 62) else {
                throw .truncated(format: .bmp)
            }
            masks = (UInt32(red), UInt32(green), UInt32(blue))
        default:
            throw .unsupportedFormat("BMP with \(bitsPerPixel) bits per pixel and compression \(compression)")
        }
    }

    private mutating func readPalette(_ reader: ByteReader, dibSize: Int) throws(DecodeError) {
        guard bitsPerPixel <= 8 else { return }
        let entrySize = dibSize == 12 ? 3 : 4
        let declared = dibSize >= 40 ? reader.uint32LE(at: 46) ?? 0 : 0
        let count = declared == 0 ? 1 << bitsPerPixel : min(declared, 1 << bitsPerPixel)
        var start = 14 + dibSize
        if dibSize == 40 && (compression == .bitfields || compression == .alphaBitfields) { start += 12 }
        guard let table = reader.slice(start, count: count * entrySize) else { throw .truncated(format: .bmp) }
        palette = [UInt8](repeating: 0, count: count * 3)
        for i in 0..<count {
            palette[i * 3] = table[i * entrySize + 2]
            palette[i * 3 + 1] = table[i * entrySize + 1]
            palette[i * 3 + 2] = table[i * entrySize]
        }
    }
}
