import Foundation

/// Malformed images made from valid ones: every header field that sizes an allocation or a
/// loop set to extreme values, every length field made to lie, and the file cut at every byte
/// of its first 64. Used by the hostile-input tests and to seed the fuzz harness (`bench/fuzz`).
///
/// Why a generator rather than a list of files: the crash that prompted it (a PNG declaring
/// 4294967295 × 4294967295 pixels, with a correct CRC) sat in a path that a hand-picked list
/// never reached.
public enum MalformedImages {
    public struct Case: Sendable, CustomStringConvertible {
        public var name: String
        public var bytes: [UInt8]
        public var description: String { name }
    }

    /// Values that break size arithmetic: zero, one, the edges of 14, 16, 24, 31 and 32 bits.
    static let extremes: [UInt32] = [0, 1, 0x3FFF, 0xFFFF, 0x10000, 0xFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF]

    /// Every case derived from `seed`, a valid image of any decoded format; `label` names the seed.
    public static func cases(from seed: [UInt8], label: String) -> [Case] {
        var cases: [Case] = []
        for length in 0...min(64, seed.count - 1) {
            cases.append(Case(name: "\(label) cut at \(length)", bytes: Array(seed.prefix(length))))
        }
        cases.append(Case(name: "\(label) cut at half", bytes: Array(seed.prefix(seed.count / 2))))
        cases.append(Case(name: "\(label) without its last byte", bytes: Array(seed.dropLast())))
        if !seed.isEmpty {
            // A wrong magic: the bytes of an image that no longer says what it is.
            cases.append(Case(name: "\(label) with its first byte changed", bytes: [seed[0] ^ 0x5A] + seed.dropFirst()))
        }
        if seed.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            cases += png(seed, label: label) + pngProfiles(seed, label: label)
        } else if seed.starts(with: [0xFF, 0xD8]) {
            cases += jpeg(seed, label: label) + jpegProfiles(seed, label: label)
        } else if seed.starts(with: Array("RIFF".utf8)) {
            cases += webp(seed, label: label)
        } else if seed.starts(with: Array("GIF8".utf8)) {
            cases += gif(seed, label: label)
        } else if seed.starts(with: Array("BM".utf8)) {
            cases += bmp(seed, label: label)
        } else if seed.starts(with: Array("II".utf8)) || seed.starts(with: Array("MM".utf8)) {
            cases += tiff(seed, label: label)
        } else if seed.count > 8, Array(seed[4..<8]) == Array("ftyp".utf8) {
            cases += heif(seed, label: label)
        } else if seed.starts(with: [0xFF, 0x0A]) {
            cases += jxl(seed, label: label)
        }
        return cases
    }

    /// The cases for each of `seedFiles`, valid images named by their file names.
    public static func cases(seedFiles: [URL]) throws -> [Case] {
        try seedFiles.flatMap { url in cases(from: [UInt8](try Data(contentsOf: url)), label: url.lastPathComponent) }
    }

    /// A valid 8-bit RGB PNG, its pixel data in stored (uncompressed) deflate blocks.
    public static func tinyPNG(width: Int, height: Int) -> [UInt8] {
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(0)  // filter: none
            for x in 0..<width { raw += [UInt8(truncatingIfNeeded: x * 32), UInt8(truncatingIfNeeded: y * 32), 128] }
        }
        let zlib = storedZlib(raw)
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
        }
        let ihdr = bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", zlib) + chunk("IEND", [])
    }

    /// `raw` as a zlib stream of one stored (uncompressed) deflate block, under 64 KB.
    static func storedZlib(_ raw: [UInt8]) -> [UInt8] {
        let zlib: [UInt8] = [0x78, 0x01, 0x01, UInt8(raw.count & 0xFF), UInt8(raw.count >> 8),
                             UInt8(~raw.count & 0xFF), UInt8((~raw.count >> 8) & 0xFF)] + raw
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return zlib + bigEndian(b << 16 | a)
    }

    // MARK: PNG

    /// IHDR's fields (with the CRC recomputed, so the decoder trusts them, and once left wrong),
    /// and the length of each of the first chunks.
    static func png(_ seed: [UInt8], label: String) -> [Case] {
        var cases: [Case] = []
        // IHDR data starts at 16: width (4), height (4), depth, colour type, compression, filter, interlace.
        func ihdr(_ name: String, fixCRC: Bool = true, _ edit: (inout [UInt8]) -> Void) {
            var bytes = seed
            edit(&bytes)
            if fixCRC, bytes.count >= 33 {
                let crc = crc32(Array(bytes[12..<29]))
                bytes.replaceSubrange(29..<33, with: bigEndian(crc))
            }
            cases.append(Case(name: "\(label) \(name)", bytes: bytes))
        }
        for value in extremes {
            ihdr("width \(value)") { put(value, at: 16, in: &$0) }
            ihdr("height \(value)") { put(value, at: 20, in: &$0) }
            ihdr("width and height \(value)") { put(value, at: 16, in: &$0); put(value, at: 20, in: &$0) }
        }
        ihdr("width 0xFFFFFFFF with a stale CRC", fixCRC: false) { put(0xFFFF_FFFF, at: 16, in: &$0) }
        for depth: UInt8 in [0, 3, 7, 32, 255] { ihdr("bit depth \(depth)") { $0[24] = depth } }
        for colour: UInt8 in [1, 5, 7, 255] { ihdr("colour type \(colour)") { $0[25] = colour } }
        ihdr("compression 1") { $0[26] = 1 }
        ihdr("filter 1") { $0[27] = 1 }
        ihdr("interlace 2") { $0[28] = 2 }
        // The length field of each of the first chunks, IHDR's included.
        var index = 8
        for chunk in 0..<4 {
            guard index + 8 <= seed.count else { break }
            let length = Int(seed[index]) << 24 | Int(seed[index + 1]) << 16 | Int(seed[index + 2]) << 8 | Int(seed[index + 3])
            let type = String(decoding: seed[index + 4..<index + 8], as: UTF8.self)
            for value in extremes + [UInt32(seed.count)] {
                var bytes = seed
                put(value, at: index, in: &bytes)
                cases.append(Case(name: "\(label) chunk \(chunk) (\(type)) length \(value)", bytes: bytes))
            }
            index += 12 + length
        }
        // A text chunk declaring 2 GB, before and after the image data: libpng allocates a text
        // chunk's declared length before reading it.
        if seed.count >= 33 {
            let text = BadText.chunk(length: 0x7FFF_FFFF)
            cases.append(Case(name: "\(label) iTXt declaring 2 GB before IDAT", bytes: Array(seed[0..<33]) + text + Array(seed[33...])))
            cases.append(Case(name: "\(label) iTXt declaring 2 GB before IEND", bytes: Array(seed.dropLast(12)) + text + Array(seed.suffix(12))))
        }
        // An eXIf chunk placed before the image data, whose IFD points far outside it.
        var exif: [UInt8] = Array("eXIf".utf8) + Array("MM".utf8) + [0, 42] + bigEndian(0xFFFF_FFF0)
        exif += [0, 1] + [1, 0x12, 0, 3] + bigEndian(0xFFFF_FFFF) + bigEndian(0)
        let exifChunk = bigEndian(UInt32(exif.count - 4)) + exif + bigEndian(crc32(exif))
        if seed.count >= 33 {
            cases.append(Case(name: "\(label) eXIf with an IFD offset past the end", bytes: Array(seed[0..<33]) + exifChunk + Array(seed[33...])))
        }
        return cases
    }

    // MARK: JPEG

    /// Each of the first segments' length, and the frame header's precision, size and
    /// component count.
    static func jpeg(_ seed: [UInt8], label: String) -> [Case] {
        var cases: [Case] = []
        var index = 2
        var segment = 0
        while index + 4 <= seed.count, seed[index] == 0xFF, segment < 12 {
            let marker = seed[index + 1]
            let length = Int(seed[index + 2]) << 8 | Int(seed[index + 3])
            let name = String(format: "FF%02X", marker)
            if segment < 6 || (0xC0...0xCF).contains(marker) {
                for value: UInt16 in [0, 1, 2, 0xFFFF, UInt16(clamping: seed.count - index)] {
                    var bytes = seed
                    bytes[index + 2] = UInt8(value >> 8)
                    bytes[index + 3] = UInt8(value & 0xFF)
                    cases.append(Case(name: "\(label) segment \(segment) (\(name)) length \(value)", bytes: bytes))
                }
            }
            if [0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF].contains(marker), index + 10 <= seed.count {
                // precision (1), height (2), width (2), components (1)
                for value: UInt16 in [0, 1, 0xFFFF] {
                    for (field, offset) in [("height", 5), ("width", 7)] {
                        var bytes = seed
                        bytes[index + offset] = UInt8(value >> 8)
                        bytes[index + offset + 1] = UInt8(value & 0xFF)
                        cases.append(Case(name: "\(label) \(name) \(field) \(value)", bytes: bytes))
                    }
                }
                for precision: UInt8 in [0, 12, 16, 255] {
                    var bytes = seed
                    bytes[index + 4] = precision
                    cases.append(Case(name: "\(label) \(name) precision \(precision)", bytes: bytes))
                }
                for components: UInt8 in [0, 2, 4, 255] {
                    var bytes = seed
                    bytes[index + 9] = components
                    cases.append(Case(name: "\(label) \(name) \(components) components", bytes: bytes))
                }
            }
            if marker == 0xDA { break }
            index += 2 + length
            segment += 1
        }
        // An EXIF block whose IFD and orientation entry point outside it, placed after SOI.
        var tiff: [UInt8] = Array("MM".utf8) + [0, 42] + bigEndian(0xFFFF_FFF0)
        tiff += [0xFF, 0xFF] + [1, 0x12, 0, 3] + bigEndian(0xFFFF_FFFF) + bigEndian(0)
        let app1 = Array("Exif".utf8) + [0, 0] + tiff
        let segmentBytes: [UInt8] = [0xFF, 0xE1, UInt8((app1.count + 2) >> 8), UInt8((app1.count + 2) & 0xFF)] + app1
        cases.append(Case(name: "\(label) EXIF with offsets past the end", bytes: [0xFF, 0xD8] + segmentBytes + Array(seed[2...])))
        return cases
    }

    // MARK: WebP

    /// The RIFF size, the first chunk's size, and the canvas or frame size of VP8, VP8L and VP8X.
    static func webp(_ seed: [UInt8], label: String) -> [Case] {
        var cases: [Case] = []
        func edit(_ name: String, _ change: (inout [UInt8]) -> Void) {
            var bytes = seed
            change(&bytes)
            cases.append(Case(name: "\(label) \(name)", bytes: bytes))
        }
        guard seed.count >= 30 else { return cases }
        for value in extremes {
            edit("RIFF size \(value)") { putLE(value, at: 4, in: &$0) }
            edit("first chunk size \(value)") { putLE(value, at: 16, in: &$0) }
        }
        let chunk = String(decoding: seed[12..<16], as: UTF8.self)
        switch chunk {
        case "VP8 ":
            // frame tag (3), start code (3), then 14-bit width and height with 2 scale bits each.
            for value: UInt16 in [0, 1, 0x3FFF, 0xFFFF] {
                edit("VP8 width \(value)") { $0[26] = UInt8(value & 0xFF); $0[27] = UInt8(value >> 8) }
                edit("VP8 height \(value)") { $0[28] = UInt8(value & 0xFF); $0[29] = UInt8(value >> 8) }
            }
            edit("VP8 start code broken") { $0[23] = 0 }
        case "VP8L":
            // signature 0x2F, then width-1 (14 bits) and height-1 (14 bits), alpha, version (3 bits).
            for value: UInt32 in [0, 0x3FFF, 0xFFF_FFFF, 0xFFFF_FFFF] {
                edit("VP8L size bits \(value)") { putLE(value, at: 21, in: &$0) }
            }
            edit("VP8L signature broken") { $0[20] = 0 }
        case "VP8X":
            // flags (4), canvas width-1 (24 bits), canvas height-1 (24 bits).
            for value: UInt32 in [0, 0xFF_FFFF] {
                edit("VP8X width \(value)") { putLE24(value, at: 24, in: &$0) }
                edit("VP8X height \(value)") { putLE24(value, at: 27, in: &$0) }
            }
        default:
            break
        }
        // A VP8X header claiming the largest canvas, in front of the original frame.
        var vp8x: [UInt8] = Array("VP8X".utf8) + [10, 0, 0, 0] + [0x08, 0, 0, 0] + [0xFF, 0xFF, 0xFF] + [0xFF, 0xFF, 0xFF]
        vp8x += Array(seed[12...])
        var riff = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBP".utf8) + vp8x
        putLE(UInt32(riff.count - 8), at: 4, in: &riff)
        cases.append(Case(name: "\(label) VP8X canvas 16777216 × 16777216", bytes: riff))
        return cases
    }

    // MARK: Field writers

    public static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// The CRC-32 of PNG chunks (and zlib's), bit by bit: seeds are small.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func put(_ value: UInt32, at index: Int, in bytes: inout [UInt8]) {
        guard index + 4 <= bytes.count else { return }
        bytes.replaceSubrange(index..<index + 4, with: bigEndian(value))
    }

    static func putLE16(_ value: UInt16, at index: Int, in bytes: inout [UInt8]) {
        guard index + 2 <= bytes.count else { return }
        bytes[index] = UInt8(value & 0xFF)
        bytes[index + 1] = UInt8(value >> 8)
    }

    static func putLE(_ value: UInt32, at index: Int, in bytes: inout [UInt8]) {
        guard index + 4 <= bytes.count else { return }
        for byte in 0..<4 { bytes[index + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
    }

    static func putLE24(_ value: UInt32, at index: Int, in bytes: inout [UInt8]) {
        guard index + 3 <= bytes.count else { return }
        for byte in 0..<3 { bytes[index + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
    }
}

/// A text chunk whose length field claims `length` bytes but holds a few.
enum BadText {
    static func chunk(length: UInt32) -> [UInt8] {
        let body = Array("iTXt".utf8) + Array("Comment".utf8) + [0, 0, 0, 0, 0] + Array("lying length".utf8)
        return MalformedImages.bigEndian(length) + body + MalformedImages.bigEndian(MalformedImages.crc32(body))
    }
}
