extension ImageDecoder {
    /// Decodes every uncompressed BMP depth (1, 2, 4, 8, 16, 24 and 32 bits, with or without
    /// bit masks) and RLE4/RLE8, bottom-up or top-down; alpha is dropped.
    func decodeBMP(_ bytes: UnsafeRawBufferPointer, header: ImageHeader) throws(DecodeError) -> RGBImage {
        let reader = ByteReader(bytes)
        let layout = try BMPLayout.parse(reader)
        let (width, height) = (layout.width, layout.height)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        switch layout.compression {
        case .rle8, .rle4:
            let indices = try Self.expandRLE(reader, layout: layout)
            Self.paint(indices, palette: layout.palette, into: &pixels)
        case .none, .bitfields, .alphaBitfields:
            let bits = layout.bitsPerPixel
            // Rows are padded to 4 bytes. The last row's padding is often missing: not required.
            let stride = (width * bits + 31) / 32 * 4
            let (rowsBefore, overflow) = stride.multipliedReportingOverflow(by: height - 1)
            guard !overflow, layout.dataOffset + rowsBefore + (width * bits + 7) / 8 <= bytes.count else {
                throw .truncated(format: .bmp)
            }
            let channels = [layout.masks.red, layout.masks.green, layout.masks.blue].map(MaskChannel.init)
            pixels.withUnsafeMutableBufferPointer { out in
                for y in 0..<height {
                    let row = layout.dataOffset + (layout.topDown ? y : height - 1 - y) * stride
                    let target = y * width * 3
                    for x in 0..<width {
                        let at = target + x * 3
                        switch bits {
                        case 24:
                            out[at] = bytes[row + x * 3 + 2]
                            out[at + 1] = bytes[row + x * 3 + 1]
                            out[at + 2] = bytes[row + x * 3]
                        case 16, 32:
                            let offset = row + x * (bits / 8)
                            var value: UInt32 = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
                            if bits == 32 { value |= UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24 }
                            out[at] = channels[0].level(value)
                            out[at + 1] = channels[1].level(value)
                            out[at + 2] = channels[2].level(value)
                        default:  // 1, 2, 4 or 8 bits: palette indices, most significant bits first
                            let bit = x * bits
                            let index = Int(bytes[row + bit / 8] >> (8 - bits - bit % 8)) & ((1 << bits) - 1)
                            if index * 3 + 2 < layout.palette.count {
                                out[at] = layout.palette[index * 3]
                                out[at + 1] = layout.palette[index * 3 + 1]
                                out[at + 2] = layout.palette[index * 3 + 2]
                            }
                        }
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Expands RLE8 or RLE4 data into one palette index per pixel, rows top first. Runs that
    /// would write outside the image are a corrupt file, not a reason to write out of bounds.
    private static func expandRLE(_ reader: ByteReader, layout: BMPLayout) throws(DecodeError) -> [UInt8] {
        let (width, height) = (layout.width, layout.height)
        var indices = [UInt8](repeating: 0, count: width * height)
        let four = layout.compression == .rle4
        var (x, y) = (0, 0)  // y counts stored rows, bottom first unless top-down
        var at = layout.dataOffset
        func put(_ index: UInt8) throws(DecodeError) {
            guard x < width, y < height else { throw .corrupt(format: .bmp, detail: "an RLE run writes outside the image") }
            indices[(layout.topDown ? y : height - 1 - y) * width + x] = index
            x += 1
        }
        while true {
            guard let count = reader.byte(at: at), let value = reader.byte(at: at + 1) else { throw .truncated(format: .bmp) }
            at += 2
            if count > 0 {  // a run: `count` pixels of one index (two alternating ones in RLE4)
                for i in 0..<Int(count) { try put(four ? (i % 2 == 0 ? value >> 4 : value & 0x0F) : value) }
                continue
            }
            switch value {
            case 0: (x, y) = (0, y + 1)  // end of line
            case 1: return indices  // end of bitmap
            case 2:  // delta
                guard let dx = reader.byte(at: at), let dy = reader.byte(at: at + 1) else { throw .truncated(format: .bmp) }
                (x, y) = (x + Int(dx), y + Int(dy))
                at += 2
            default:  // literal: `value` indices follow, padded to an even byte count
                let literal = Int(value)
                let byteCount = four ? (literal + 1) / 2 : literal
                guard let data = reader.slice(at, count: byteCount) else { throw .truncated(format: .bmp) }
                for i in 0..<literal { try put(four ? (i % 2 == 0 ? data[i / 2] >> 4 : data[i / 2] & 0x0F) : data[i]) }
                at += byteCount + (byteCount & 1)
            }
            if y >= height { return indices }
        }
    }

    private static func paint(_ indices: [UInt8], palette: [UInt8], into pixels: inout [UInt8]) {
        for (i, index) in indices.enumerated() where Int(index) * 3 + 2 < palette.count {
            pixels[i * 3] = palette[Int(index) * 3]
            pixels[i * 3 + 1] = palette[Int(index) * 3 + 1]
            pixels[i * 3 + 2] = palette[Int(index) * 3 + 2]
        }
    }
}

/// One colour channel of a 16- or 32-bit BMP pixel, scaled from its mask's width to 8 bits.
private struct MaskChannel {
    let mask: UInt32
    let shift: UInt32
    let maximum: UInt32

    init(_ mask: UInt32) {
        self.mask = mask
        shift = mask == 0 ? 0 : UInt32(mask.trailingZeroBitCount)
        maximum = mask == 0 ? 0 : mask >> shift
    }

    func level(_ value: UInt32) -> UInt8 {
        guard maximum > 0 else { return 0 }
        return UInt8(truncatingIfNeeded: UInt64((value & mask) >> shift) * 255 / UInt64(maximum))
    }
}
