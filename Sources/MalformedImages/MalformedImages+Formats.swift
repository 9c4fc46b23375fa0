extension MalformedImages {
    /// A case named after `label` and `name`: `seed` with `change` applied.
    static func edited(_ seed: [UInt8], _ label: String, _ name: String, _ change: (inout [UInt8]) -> Void) -> Case {
        var bytes = seed
        change(&bytes)
        return Case(name: "\(label) \(name)", bytes: bytes)
    }

    // MARK: GIF

    /// The logical screen size, the first frame's place and size, a colour table flagged but
    /// missing, the LZW code size, and a data sub-block claiming more than is there.
    static func gif(_ seed: [UInt8], label: String) -> [Case] {
        guard seed.count >= 13 else { return [] }
        var cases: [Case] = []
        for value: UInt16 in [0, 1, 0x7FFF, 0xFFFF] {
            cases.append(edited(seed, label, "screen width \(value)") { putLE16(value, at: 6, in: &$0) })
            cases.append(edited(seed, label, "screen height \(value)") { putLE16(value, at: 8, in: &$0) })
        }
        cases.append(edited(seed, label, "global colour table flagged, cut off") { $0[10] |= 0x87; $0 = Array($0.prefix(20)) })
        // The first image descriptor: after the header, the global table and any extensions.
        var index = 13 + (seed[10] & 0x80 != 0 ? 3 << (Int(seed[10] & 7) + 1) : 0)
        while index < seed.count, seed[index] == 0x21 {
            index += 2
            while index < seed.count, seed[index] != 0 { index += Int(seed[index]) + 1 }
            index += 1
        }
        guard index + 10 < seed.count, seed[index] == 0x2C else { return cases }
        for value: UInt16 in [0, 0xFFFF] {
            cases.append(edited(seed, label, "frame left \(value)") { putLE16(value, at: index + 1, in: &$0) })
            cases.append(edited(seed, label, "frame top \(value)") { putLE16(value, at: index + 3, in: &$0) })
            cases.append(edited(seed, label, "frame width \(value)") { putLE16(value, at: index + 5, in: &$0) })
            cases.append(edited(seed, label, "frame height \(value)") { putLE16(value, at: index + 7, in: &$0) })
        }
        let local = seed[index + 9]
        let codeSize = index + 10 + (local & 0x80 != 0 ? 3 << (Int(local & 7) + 1) : 0)
        for value: UInt8 in [0, 1, 12, 255] {
            cases.append(edited(seed, label, "LZW code size \(value)") { if codeSize < $0.count { $0[codeSize] = value } })
        }
        cases.append(edited(seed, label, "first sub-block 255 bytes long") { if codeSize + 1 < $0.count { $0[codeSize + 1] = 255 } })
        cases.append(edited(seed, label, "interlaced flag set") { $0[index + 9] |= 0x40 })
        return cases
    }

    // MARK: BMP

    /// The data offset, the info header's size, width and height (negative ones too), bit
    /// depth, compression method and colour count.
    static func bmp(_ seed: [UInt8], label: String) -> [Case] {
        guard seed.count >= 54 else { return [] }
        var cases: [Case] = []
        for value in extremes {
            cases.append(edited(seed, label, "data offset \(value)") { putLE(value, at: 10, in: &$0) })
            cases.append(edited(seed, label, "info header size \(value)") { putLE(value, at: 14, in: &$0) })
            cases.append(edited(seed, label, "width \(value)") { putLE(value, at: 18, in: &$0) })
            cases.append(edited(seed, label, "height \(value)") { putLE(value, at: 22, in: &$0) })
            cases.append(edited(seed, label, "colours used \(value)") { putLE(value, at: 46, in: &$0) })
        }
        for value: UInt16 in [0, 1, 2, 3, 4, 7, 8, 16, 24, 32, 48, 64, 0xFFFF] {
            cases.append(edited(seed, label, "\(value) bits per pixel") { putLE16(value, at: 28, in: &$0) })
        }
        for value: UInt32 in [1, 2, 3, 4, 5, 6, 11, 0xFFFF_FFFF] {
            cases.append(edited(seed, label, "compression \(value)") { putLE(value, at: 30, in: &$0) })
        }
        return cases
    }

    // MARK: TIFF

    /// The first directory's offset and entry count, and each size-bearing tag's value (width,
    /// length, bits, samples, rows per strip, strip offsets and byte counts) at the extremes.
    static func tiff(_ seed: [UInt8], label: String) -> [Case] {
        guard seed.count >= 8 else { return [] }
        let little = seed[0] == 0x49
        func u16(_ i: Int) -> Int { little ? Int(seed[i]) | Int(seed[i + 1]) << 8 : Int(seed[i]) << 8 | Int(seed[i + 1]) }
        func u32(_ i: Int) -> Int { little ? u16(i) | u16(i + 2) << 16 : u16(i) << 16 | u16(i + 2) }
        func put(_ value: UInt32, at i: Int, in bytes: inout [UInt8]) {
            if little { putLE(value, at: i, in: &bytes) } else { MalformedImages.put(value, at: i, in: &bytes) }
        }
        var cases: [Case] = []
        for value in extremes {
            cases.append(edited(seed, label, "directory offset \(value)") { put(value, at: 4, in: &$0) })
        }
        let directory = u32(4)
        guard directory + 2 <= seed.count else { return cases }
        for value: UInt16 in [0, 1, 0xFFFF] {
            cases.append(edited(seed, label, "\(value) directory entries") {
                if little { putLE16(value, at: directory, in: &$0) } else { $0[directory] = UInt8(value >> 8); $0[directory + 1] = UInt8(value & 0xFF) }
            })
        }
        let names = [256: "width", 257: "length", 258: "bits per sample", 273: "strip offsets", 277: "samples per pixel",
                     278: "rows per strip", 279: "strip byte counts", 322: "tile width", 323: "tile length", 324: "tile offsets"]
        for entry in 0..<min(u16(directory), 64) {
            let at = directory + 2 + entry * 12
            guard at + 12 <= seed.count, let name = names[u16(at)] else { continue }
            let type = u16(at + 2)
            for value in extremes {
                cases.append(edited(seed, label, "\(name) \(value)") { bytes in
                    // A SHORT value sits in the first two bytes of the field; widen the type so the
                    // whole 32-bit extreme is read.
                    if type == 3 { if little { putLE16(4, at: at + 2, in: &bytes) } else { bytes[at + 2] = 0; bytes[at + 3] = 4 } }
                    put(value, at: at + 8, in: &bytes)
                })
            }
            cases.append(edited(seed, label, "\(name) count 0xFFFFFFFF") { put(0xFFFF_FFFF, at: at + 4, in: &$0) })
        }
        return cases
    }

    // MARK: HEIF and AVIF

    /// The sizes of the top-level and item-property boxes, the `ispe` (image spatial extent)
    /// width and height, and `iloc`'s extents.
    static func heif(_ seed: [UInt8], label: String) -> [Case] {
        var cases: [Case] = []
        func find(_ type: String) -> Int? {
            let pattern = Array(type.utf8)
            guard seed.count >= 8 else { return nil }
            for i in 4..<(seed.count - 4) where Array(seed[i..<i + 4]) == pattern { return i - 4 }
            return nil
        }
        // A box size of 0 means "to the end of the file", 1 "a 64-bit size follows", under 8 is
        // shorter than the box's own header; the rest overrun the file.
        let boxSizes: [UInt32] = [0, 1, 7, 8, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF]
        for type in ["ftyp", "meta", "hdlr", "pitm", "iloc", "iinf", "iprp", "ipco", "ispe", "ipma", "mdat", "hvcC", "av1C"] {
            guard let box = find(type) else { continue }
            for value in boxSizes {
                cases.append(edited(seed, label, "\(type) box size \(value)") { put(value, at: box, in: &$0) })
            }
        }
        if let ispe = find("ispe") {
            for value in extremes {
                cases.append(edited(seed, label, "ispe width \(value)") { put(value, at: ispe + 12, in: &$0) })
                cases.append(edited(seed, label, "ispe height \(value)") { put(value, at: ispe + 16, in: &$0) })
            }
        }
        if let iloc = find("iloc") {
            // version/flags, then offset/length/base-offset sizes: lie about the field widths.
            cases.append(edited(seed, label, "iloc field sizes 0xFF") { if iloc + 13 < $0.count { $0[iloc + 12] = 0xFF; $0[iloc + 13] = 0xFF } })
            cases.append(edited(seed, label, "iloc item count 0xFFFF") { if iloc + 15 < $0.count { $0[iloc + 14] = 0xFF; $0[iloc + 15] = 0xFF } })
        }
        return cases
    }

    // MARK: JPEG XL

    /// The codestream's header is bit-packed (sizes in a variable-length code), so each of its
    /// first 24 bytes is inverted in turn and set to all ones.
    static func jxl(_ seed: [UInt8], label: String) -> [Case] {
        var cases: [Case] = []
        for index in 2..<min(26, seed.count) {
            cases.append(edited(seed, label, "byte \(index) inverted") { $0[index] ^= 0xFF })
            cases.append(edited(seed, label, "byte \(index) all ones") { $0[index] = 0xFF })
        }
        return cases
    }
}
