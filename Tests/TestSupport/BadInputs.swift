import Foundation
import MalformedImages

/// Hand-made hostile inputs: each is a few bytes that must be rejected with a clear error.
public enum BadInputs {
    /// A valid PNG signature and IHDR (with a correct CRC) declaring `width`×`height`, and nothing else.
    public static func pngHeader(width: UInt32, height: UInt32, bitDepth: UInt8 = 8) -> [UInt8] {
        var ihdr: [UInt8] = Array("IHDR".utf8)
        ihdr += bigEndian(width) + bigEndian(height) + [bitDepth, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + bigEndian(13) + ihdr + bigEndian(crc32(ihdr))
            + bigEndian(0) + Array("IEND".utf8) + bigEndian(crc32(Array("IEND".utf8)))
    }

    /// SOI, a baseline SOF0 declaring `width`×`height` with three components, and EOI.
    public static func jpegHeader(width: UInt16, height: UInt16) -> [UInt8] {
        [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), 0x03,
         0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xFF, 0xD9]
    }

    /// Deterministic pseudo-random bytes that start with no known magic.
    public static func randomBytes(count: Int, seed: UInt64 = 42) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33) | 0x01  // never 0x00 or 0xFF first bytes of a magic
        }
    }

    /// A GIF header for a 1×1 screen and the trailer, with no image between them.
    public static let gif: [UInt8] = Array("GIF89a".utf8) + [0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x3B]
    /// The JPEG 2000 signature box and some bytes: a real format Lenscale does not decode.
    public static let jpeg2000: [UInt8] = [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A] + [UInt8](repeating: 0x20, count: 32)
    public static let text: [UInt8] = Array("This is a text file, not a photo.\n".utf8)

    static func bigEndian(_ value: UInt32) -> [UInt8] { MalformedImages.bigEndian(value) }

    static func crc32(_ bytes: [UInt8]) -> UInt32 { MalformedImages.crc32(bytes) }
}
