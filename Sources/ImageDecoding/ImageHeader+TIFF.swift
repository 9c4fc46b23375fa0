extension ImageHeader {
    /// Reads the first image directory of a TIFF or BigTIFF file for its size and orientation.
    ///
    /// The tags are read from the bytes here rather than through libtiff, so a file is refused
    /// for its declared size before libtiff allocates anything for it.
    static func readTIFF(_ reader: ByteReader) throws(DecodeError) -> ImageHeader {
        let little = reader.matches("II", at: 0)
        func u16(_ i: Int) -> Int? { little ? reader.uint16LE(at: i) : reader.uint16BE(at: i) }
        func u32(_ i: Int) -> Int? { little ? reader.uint32LE(at: i) : reader.uint32BE(at: i) }
        func u64(_ i: Int) -> Int? {
            guard let a = u32(i), let b = u32(i + 4) else { return nil }
            let (low, high) = little ? (a, b) : (b, a)
            return high < 1 << 31 ? high << 32 | low : nil
        }
        guard let version = u16(2) else { throw .truncated(format: .tiff) }
        let big = version == 43
        guard let directory = big ? u64(8) : u32(4), let entries = big ? u64(directory) : u16(directory) else {
            throw .truncated(format: .tiff)
        }
        let entrySize = big ? 20 : 12
        let first = directory + (big ? 8 : 2)
        var width: Int?, height: Int?
        var orientation = Orientation.up
        for entry in 0..<min(entries, 4096) {
            let at = first + entry * entrySize
            guard let tag = u16(at), let type = u16(at + 2) else { throw .truncated(format: .tiff) }
            let valueAt = at + (big ? 12 : 8)
            // SHORT (3) values sit in the first two bytes of the value field, LONG (4) in four.
            let value = type == 3 ? u16(valueAt) : type == 4 ? u32(valueAt) : type == 16 ? u64(valueAt) : nil
            switch tag {
            case 256: width = value
            case 257: height = value
            case 274: orientation = value.flatMap(Orientation.init(rawValue:)) ?? .up
            default: break
            }
        }
        guard let width, let height else { throw .corrupt(format: .tiff, detail: "the first directory has no image width or length") }
        return ImageHeader(format: .tiff, width: width, height: height, orientation: orientation)
    }
}
