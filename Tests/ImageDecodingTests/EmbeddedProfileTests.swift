import Foundation
import ImageDecoding
import Testing
import TestSupport

/// Profiles are read from untrusted uploads: one that is damaged, cut off or hostile must leave
/// the pixels as stored, never stop or stall the decode.
@Suite struct EmbeddedProfileTests {
    static let marker = Array("ICC_PROFILE\0".utf8)

    /// Where the profile of a one-segment JPEG profile starts (after the tag, the sequence number
    /// and the count).
    static func profileStart(_ jpeg: [UInt8]) throws -> Int {
        let tag = try #require((0..<(jpeg.count - marker.count)).first { Array(jpeg[$0..<$0 + marker.count]) == marker })
        return tag + marker.count + 2
    }

    func decode(_ bytes: [UInt8]) throws -> RGBImage {
        try ImageDecoder().decode(bytes).image
    }

    /// Each word of the header and the tag table replaced by an extreme (sizes, counts, offsets,
    /// signatures): lcms2 gets every damaged profile, and each decode ends with the stored pixels
    /// or converted ones.
    @Test(arguments: [UInt32(0xA5A5_A5A5), 0xFFFF_FFFF, 0, 0x7FFF_FFFF])
    func damagedProfileWordsNeverStallTheDecode(value: UInt32) throws {
        let tagged = try bytes(of: TestPaths.fixture("p3-chelsea.jpg"))
        let stored = try decode(try bytes(of: TestPaths.fixture("p3-chelsea.untagged.jpg")))
        let start = try Self.profileStart(tagged)
        for offset in stride(from: 0, to: 240, by: 4) {
            var damaged = tagged
            withUnsafeBytes(of: value.bigEndian) { damaged.replaceSubrange(start + offset..<start + offset + 4, with: $0) }
            let image = try decode(damaged)
            #expect(image.width == stored.width && image.height == stored.height, "word at \(offset)")
        }
    }

    /// A profile whose header is garbage is no profile: the pixels come out as if untagged.
    @Test func garbageProfileLeavesThePixelsAsStored() throws {
        var tagged = try bytes(of: TestPaths.fixture("p3-chelsea.jpg"))
        let start = try Self.profileStart(tagged)
        tagged.replaceSubrange(start..<start + 132, with: [UInt8](repeating: 0xA5, count: 132))
        let stored = try decode(try bytes(of: TestPaths.fixture("p3-chelsea.untagged.jpg")))
        #expect(try decode(tagged).pixels == stored.pixels)
    }

    /// A profile split over segments with one missing cannot be joined: treated as absent.
    @Test func profileWithAMissingPieceIsIgnored() throws {
        var tagged = try bytes(of: TestPaths.fixture("p3-chelsea.jpg"))
        let start = try Self.profileStart(tagged)
        tagged[start - 2] = 2  // the only segment claims to be the second of two
        tagged[start - 1] = 2
        let stored = try decode(try bytes(of: TestPaths.fixture("p3-chelsea.untagged.jpg")))
        #expect(try decode(tagged).pixels == stored.pixels)
    }

    /// A PNG `iCCP` chunk whose deflated profile is damaged (with a correct CRC, so libpng keeps
    /// the chunk) decodes like the same PNG without the chunk.
    @Test func pngProfileThatWillNotInflateIsIgnored() throws {
        let png = try bytes(of: TestPaths.fixture("p3-chelsea.png"))
        let chunk = try #require(Self.chunk("iCCP", in: png))
        var damaged = png
        let body = chunk.start + 8..<chunk.start + 8 + chunk.length
        let nul = try #require(damaged[body].firstIndex(of: 0))
        for index in nul + 2..<min(nul + 40, body.upperBound) { damaged[index] = 0xA5 }
        let crc = Self.crc32(damaged[chunk.start + 4..<body.upperBound])
        withUnsafeBytes(of: crc.bigEndian) { damaged.replaceSubrange(body.upperBound..<body.upperBound + 4, with: $0) }
        var without = png
        without.removeSubrange(chunk.start..<body.upperBound + 4)

        let tagged = try decode(png), broken = try decode(damaged), untagged = try decode(without)
        #expect(broken.pixels == untagged.pixels)
        #expect(tagged.pixels != untagged.pixels, "the intact profile is applied")
    }

    static func chunk(_ type: String, in png: [UInt8]) -> (start: Int, length: Int)? {
        var index = 8
        while index + 12 <= png.count {
            let length = png[index..<index + 4].reduce(0) { $0 << 8 | Int($1) }
            if Array(png[index + 4..<index + 8]) == Array(type.utf8) { return (index, length) }
            index += 12 + length
        }
        return nil
    }

    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
