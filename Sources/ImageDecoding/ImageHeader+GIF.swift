extension ImageHeader {
    /// Reads the logical screen size and walks the block structure, without decompressing
    /// anything, to see whether a second frame follows the first.
    ///
    /// The walk stops at the second image descriptor, so an animation of ten thousand frames
    /// costs no more than one of two; a file cut off inside its first frame is truncated.
    static func readGIF(_ reader: ByteReader) throws(DecodeError) -> ImageHeader {
        guard let width = reader.uint16LE(at: 6), let height = reader.uint16LE(at: 8), let packed = reader.byte(at: 10) else {
            throw .truncated(format: .gif)
        }
        var header = ImageHeader(format: .gif, width: width, height: height)
        var index = 13 + (packed & 0x80 != 0 ? 3 << (Int(packed & 7) + 1) : 0)
        var frames = 0
        /// Skips a chain of data sub-blocks (a length byte, that many bytes; a zero ends it).
        func skipSubBlocks(from start: Int) throws(DecodeError) -> Int {
            var at = start
            while true {
                guard let size = reader.byte(at: at) else { throw .truncated(format: .gif) }
                at += 1 + Int(size)
                if size == 0 { return at }
            }
        }
        while true {
            guard let introducer = reader.byte(at: index) else {
                // A missing trailer after a whole frame is common and harmless.
                if frames > 0 { return header }
                throw .truncated(format: .gif)
            }
            switch introducer {
            case 0x21:  // extension: label, then sub-blocks
                index = try skipSubBlocks(from: index + 2)
            case 0x2C:  // image descriptor
                frames += 1
                if frames > 1 {
                    header.isAnimated = true
                    return header
                }
                guard let local = reader.byte(at: index + 9) else { throw .truncated(format: .gif) }
                index += 10 + (local & 0x80 != 0 ? 3 << (Int(local & 7) + 1) : 0)
                index = try skipSubBlocks(from: index + 1)  // after the LZW minimum code size
            case 0x3B:  // trailer
                guard frames > 0 else { throw .corrupt(format: .gif, detail: "the file has no image in it") }
                return header
            default:
                if frames > 0 { return header }  // trailing garbage after the first frame
                throw .corrupt(format: .gif, detail: "unexpected block type 0x\(String(introducer, radix: 16)) at byte \(index)")
            }
        }
    }
}
