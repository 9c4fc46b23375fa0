import Hashing
import ImageDecoding
import Testing

@Suite struct PDQHashTests {
    @Test func hexRoundTripsInTheReferenceByteOrder() throws {
        let hex = "c8e64ce730ef0343192749b3b19bc1bd532d69cf9a53a1704b4d9493d529ca79"
        let hash = try #require(PDQHash(hex: hex))
        #expect(hash.hex == hex)
        #expect(PDQHash(hex: hex.uppercased()) == hash)
        // The last four digits are word 0, so bit 0 is the lowest bit of the last digit (9 = 1001).
        #expect(hash.bit(0) && !hash.bit(1) && !hash.bit(2) && hash.bit(3))
        // Bit 255 is the top bit of the first digit (c = 1100).
        #expect(hash.bit(255) && hash.bit(254) && !hash.bit(253))
        #expect(PDQHash(bits: (0..<256).map(hash.bit)) == hash)
    }

    @Test func rejectsMalformedHex() {
        #expect(PDQHash(hex: "") == nil)
        #expect(PDQHash(hex: String(repeating: "0", count: 63)) == nil)
        #expect(PDQHash(hex: String(repeating: "0", count: 65)) == nil)
        #expect(PDQHash(hex: String(repeating: "g", count: 64)) == nil)
        #expect(PDQHash(hex: "+" + String(repeating: "0", count: 63)) == nil)
    }

    @Test func distanceCountsDifferingBits() throws {
        let zero = PDQHash(lanes: (0, 0, 0, 0))
        let ones = PDQHash(lanes: (.max, .max, .max, .max))
        #expect(zero.distance(to: ones) == 256)
        #expect(zero.distance(to: zero) == 0)
        for k in [0, 63, 64, 127, 128, 200, 255] {
            var bits = [Bool](repeating: false, count: 256)
            bits[k] = true
            let one = PDQHash(bits: bits)
            #expect(one.distance(to: zero) == 1)
            #expect(one.bit(k))
        }
        var rng = SystemRandomNumberGenerator()
        let a = PDQHash(lanes: (rng.next(), rng.next(), rng.next(), rng.next()))
        let flipped = PDQHash(bits: (0..<256).map { $0 % 8 == 0 ? !a.bit($0) : a.bit($0) })
        #expect(a.distance(to: flipped) == 32)
    }

    @Test func tinyAndFlatImagesHaveNoQuality() {
        let tiny = PDQ.hash(RGBImage(width: 4, height: 100, pixels: [UInt8](repeating: 9, count: 4 * 100 * 3)))
        #expect(tiny.quality == 0 && tiny.hash == PDQHash(lanes: (0, 0, 0, 0)))
        let flat = PDQ.hash(RGBImage(width: 100, height: 80, pixels: [UInt8](repeating: 128, count: 100 * 80 * 3)))
        #expect(flat.quality == 0)
    }
}
