/// The EXIF orientation: how the stored pixels must be turned to look the way the camera saw them.
///
/// Phones store portrait shots as landscape pixels plus this tag; a classifier fed the stored
/// pixels sees the world on its side, so it is applied before resizing.
public enum Orientation: Int, Sendable, Codable {
    case up = 1
    case upMirrored = 2
    case down = 3
    case downMirrored = 4
    case leftMirrored = 5
    case right = 6
    case rightMirrored = 7
    case left = 8

    /// Orientations 5 to 8 turn the image by 90°, so width and height trade places.
    public var swapsAxes: Bool { rawValue >= 5 }

    /// Reads tag 0x0112 from IFD0 of a TIFF-structured EXIF block. Returns nil when the block
    /// is malformed or has no orientation: a broken EXIF block must never make an image unreadable.
    init?(exif tiff: UnsafeRawBufferPointer) {
        let reader = ByteReader(tiff)
        let littleEndian: Bool
        if reader.matches("II", at: 0) {
            littleEndian = true
        } else if reader.matches("MM", at: 0) {
            littleEndian = false
        } else {
            return nil
        }
        func u16(_ i: Int) -> Int? { littleEndian ? reader.uint16LE(at: i) : reader.uint16BE(at: i) }
        func u32(_ i: Int) -> Int? { littleEndian ? reader.uint32LE(at: i) : reader.uint32BE(at: i) }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for entry in 0..<min(count, 512) {
            let at = ifd + 2 + entry * 12
            guard let tag = u16(at) else { return nil }
            if tag == 0x0112, let value = u16(at + 8) {
                self.init(rawValue: value)
                return
            }
        }
        return nil
    }
}
