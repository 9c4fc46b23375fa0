extension MalformedImages {
    // MARK: ICC profiles

    /// Hostile ICC profiles, embedded where each container carries one (a JPEG APP2 segment, a
    /// PNG `iCCP` chunk): profiles reach lcms2 from uploads, so tag counts, sizes and offsets
    /// that lie, and a lookup table asking for half a gigabyte, must leave the decode bounded.
    static func profiles() -> [(name: String, bytes: [UInt8])] {
        func profile(declaredSize: UInt32? = nil, tagCount: UInt32? = nil, tags: [(String, UInt32, UInt32)], data: [UInt8] = []) -> [UInt8] {
            var header = [UInt8](repeating: 0, count: 128)
            let size = UInt32(132 + 12 * tags.count + data.count)
            header.replaceSubrange(0..<4, with: bigEndian(declaredSize ?? size))
            header.replaceSubrange(8..<12, with: bigEndian(0x0210_0000))  // version 2.1
            header.replaceSubrange(12..<16, with: Array("mntr".utf8))
            header.replaceSubrange(16..<20, with: Array("RGB ".utf8))
            header.replaceSubrange(20..<24, with: Array("XYZ ".utf8))
            header.replaceSubrange(36..<40, with: Array("acsp".utf8))
            var table = bigEndian(tagCount ?? UInt32(tags.count))
            for (signature, offset, length) in tags { table += Array(signature.utf8) + bigEndian(offset) + bigEndian(length) }
            return header + table + data
        }
        let dataStart = UInt32(132 + 12)
        // A curve claiming 4 billion entries, and an mft2 lookup table with 15 outputs on a
        // 255-point grid (255³ × 15 entries of 2 bytes) that holds a few bytes of it.
        let curve = Array("curv".utf8) + [0, 0, 0, 0] + bigEndian(0xFFFF_FFFF) + [0, 0]
        var lut = Array("mft2".utf8) + [0, 0, 0, 0, 3, 15, 255, 0]
        lut += [UInt8](repeating: 0, count: 36) + [1, 0, 1, 0] + [UInt8](repeating: 0, count: 16)
        return [
            ("tag count 0xFFFFFFFF", profile(tagCount: 0xFFFF_FFFF, tags: [])),
            ("tag count 0x7FFFFFFF", profile(tagCount: 0x7FFF_FFFF, tags: [])),
            ("100 tags in a 144-byte profile", profile(tagCount: 100, tags: [("rXYZ", dataStart, 20)], data: [UInt8](repeating: 0, count: 20))),
            ("declared size 0xFFFFFFFF", profile(declaredSize: 0xFFFF_FFFF, tags: [("rXYZ", dataStart, 20)], data: [UInt8](repeating: 0, count: 20))),
            ("tag at offset 0xFFFFFFF0", profile(tags: [("rTRC", 0xFFFF_FFF0, 16)])),
            ("tag 0xFFFFFFFF bytes long", profile(tags: [("rTRC", dataStart, 0xFFFF_FFFF)], data: curve)),
            ("tag inside the header", profile(tags: [("rXYZ", 0, 20)])),
            ("curve of 0xFFFFFFFF entries", profile(tags: [("rTRC", dataStart, UInt32(curve.count)), ("gTRC", dataStart, UInt32(curve.count)), ("bTRC", dataStart, UInt32(curve.count))], data: curve)),
            ("lookup table of 255³ × 15 entries", profile(tags: [("A2B0", dataStart, UInt32(lut.count))], data: lut)),
        ]
    }

    /// `seed` (a JPEG) with each hostile profile in an APP2 segment after SOI.
    static func jpegProfiles(_ seed: [UInt8], label: String) -> [Case] {
        profiles().map { name, profile in
            let body = Array("ICC_PROFILE\0".utf8) + [1, 1] + profile
            let segment: [UInt8] = [0xFF, 0xE2, UInt8((body.count + 2) >> 8), UInt8((body.count + 2) & 0xFF)] + body
            return Case(name: "\(label) ICC profile with \(name)", bytes: [0xFF, 0xD8] + segment + Array(seed[2...]))
        }
    }

    /// `seed` (a PNG) with each hostile profile in an `iCCP` chunk after IHDR, deflated as one
    /// stored block so that it inflates to exactly the profile.
    static func pngProfiles(_ seed: [UInt8], label: String) -> [Case] {
        guard seed.count >= 33 else { return [] }
        return profiles().map { name, profile in
            let zlib = storedZlib(profile)
            let body = Array("iCCP".utf8) + Array("hostile".utf8) + [0, 0] + zlib
            let chunk = bigEndian(UInt32(body.count - 4)) + body + bigEndian(crc32(body))
            return Case(name: "\(label) iCCP with \(name)", bytes: Array(seed[0..<33]) + chunk + Array(seed[33...]))
        }
    }
}
