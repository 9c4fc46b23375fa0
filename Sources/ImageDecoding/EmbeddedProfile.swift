import CZlib

/// Finds the ICC profile a JPEG, PNG or WebP file carries, in the container's own structure.
///
/// HEIF, JPEG XL and TIFF profiles come from their libraries, during their decodes; these three
/// formats' decoders do not hand theirs out, so the bytes are read here, bounded like every
/// other header field. A profile that is cut off or will not inflate is treated as absent.
enum EmbeddedProfile {
    /// Profiles larger than this are not colour spaces but something else (or an attack).
    static let maxBytes = 4 << 20

    static func read(_ bytes: UnsafeRawBufferPointer, format: ImageFormat) -> [UInt8]? {
        let reader = ByteReader(bytes)
        switch format {
        case .jpeg: return jpeg(reader)
        case .png: return png(reader)
        case .webp: return webp(reader)
        default: return nil
        }
    }

    /// APP2 segments tagged `ICC_PROFILE\0`, each with its sequence number and the total count:
    /// a profile over 64 KB is split across several, to be joined in sequence order.
    static func jpeg(_ reader: ByteReader) -> [UInt8]? {
        var parts: [Int: UnsafeRawBufferPointer] = [:]
        var index = 2
        while let marker = reader.byte(at: index + 1), reader.byte(at: index) == 0xFF {
            if marker == 0xFF { index += 1; continue }  // fill byte
            if marker == 0xDA || marker == 0xD9 { break }  // the scan starts: no more headers
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { index += 2; continue }
            guard let length = reader.uint16BE(at: index + 2), length >= 2 else { return nil }
            if marker == 0xE2, length > 16, reader.matches("ICC_PROFILE\0", at: index + 4),
               let sequence = reader.byte(at: index + 16), let part = reader.slice(index + 18, count: length - 16) {
                parts[Int(sequence)] = part
            }
            index += 2 + length
        }
        guard !parts.isEmpty else { return nil }
        var profile: [UInt8] = []
        for sequence in 1...parts.count {
            guard let part = parts[sequence] else { return nil }  // a missing piece: no usable profile
            profile += part
        }
        return profile.count <= maxBytes ? profile : nil
    }

    /// The `iCCP` chunk before the image data: a name, a NUL, a compression method (0, zlib),
    /// then the deflated profile.
    static func png(_ reader: ByteReader) -> [UInt8]? {
        var index = 8
        while let length = reader.uint32BE(at: index), index + 12 + length <= reader.bytes.count {
            if reader.matches("IDAT", at: index + 4) || reader.matches("IEND", at: index + 4) { return nil }
            if reader.matches("iCCP", at: index + 4), let body = reader.slice(index + 8, count: length) {
                guard let nul = body.prefix(80).firstIndex(of: 0), nul + 2 < body.count, body[nul + 1] == 0 else { return nil }
                return inflate(UnsafeRawBufferPointer(rebasing: body[(nul + 2)...]))
            }
            index += 12 + length
        }
        return nil
    }

    /// The `ICCP` chunk of an extended (VP8X) file whose flags say it has one.
    static func webp(_ reader: ByteReader) -> [UInt8]? {
        guard reader.matches("VP8X", at: 12), let flags = reader.byte(at: 20), flags & 0x20 != 0 else { return nil }
        var index = 12
        while let size = reader.uint32LE(at: index + 4) {
            if reader.matches("ICCP", at: index) {
                guard size <= maxBytes, let body = reader.slice(index + 8, count: size) else { return nil }
                return Array(body)
            }
            index += 8 + size + (size & 1)
        }
        return nil
    }

    /// zlib's inflate into a buffer that grows up to `maxBytes`.
    static func inflate(_ compressed: UnsafeRawBufferPointer) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: 64 << 10)
        var produced = 0
        stream.next_in = UnsafeMutablePointer(mutating: compressed.bindMemory(to: UInt8.self).baseAddress)
        stream.avail_in = uInt(compressed.count)
        while true {
            if produced == output.count {
                guard output.count < maxBytes else { return nil }
                output += [UInt8](repeating: 0, count: output.count)
            }
            let status = output.withUnsafeMutableBufferPointer { buffer -> Int32 in
                stream.next_out = buffer.baseAddress! + produced
                stream.avail_out = uInt(buffer.count - produced)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                produced = buffer.count - Int(stream.avail_out)
                return status
            }
            if status == Z_STREAM_END { return Array(output.prefix(produced)) }
            guard status == Z_OK else { return nil }
            if stream.avail_in == 0 && produced < output.count { return nil }  // truncated stream
        }
    }
}
