@testable import Catalog
import Foundation
import Testing

@Suite("float16 conversion")
struct HalfFloatTests {
    @Test("every binary16 value converts to Float and back to the same bits")
    func exhaustiveRoundTrip() {
        var mismatches: [UInt16] = []
        for bits in UInt16.min...UInt16.max {
            let value = HalfFloat.float(from: bits)
            if value.isNaN {
                if !HalfFloat.float(from: HalfFloat.bits(from: value)).isNaN { mismatches.append(bits) }
            } else if HalfFloat.bits(from: value) != bits {
                mismatches.append(bits)
            }
        }
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5))")
    }

    static let knownCases: [(Float, UInt16)] = [
        (1, 0x3C00),
        (-2, 0xC000),
        (65504, 0x7BFF),  // largest finite
        (65519, 0x7BFF),  // rounds down
        (65520, 0x7C00),  // ties to even: overflows to infinity
        (.infinity, 0x7C00),
        (0x1p-24, 0x0001),  // smallest subnormal
        (0x1p-25, 0x0000),  // tie between 0 and 2^-24: to even, zero
        (0x1.8p-25, 0x0001),  // above the tie
        (0x1p-14, 0x0400),  // smallest normal
        (1 + 0x1p-11, 0x3C00),  // tie: to even (down)
        (1 + 3 * 0x1p-11, 0x3C02),  // tie: to even (up)
        (-0.0, 0x8000),
        (1e-10, 0x0000),
        (0.1, 0x2E66),
    ]

    @Test("known values, rounding to nearest even, overflow and underflow", arguments: knownCases)
    func knownValues(value: Float, bits: UInt16) {
        #expect(HalfFloat.bits(from: value) == bits)
    }

    @Test("vectors encode little-endian and decode to the same floats")
    func vectorCoding() {
        let floats: [Float] = [1, -2.5, 0.1, 1e-3, 300]
        let wide = VectorCoding.encode(floats, as: .float32)
        #expect(Array(wide.prefix(4)) == [0x00, 0x00, 0x80, 0x3F])
        #expect(VectorCoding.decode(wide, as: .float32) == floats)
        let half = VectorCoding.encode(floats, as: .float16)
        #expect(Array(half.prefix(2)) == [0x00, 0x3C])
        #expect(half.count == 10)
        #expect(VectorCoding.decode(half, as: .float16) == floats.map { HalfFloat.float(from: HalfFloat.bits(from: $0)) })
    }
}
