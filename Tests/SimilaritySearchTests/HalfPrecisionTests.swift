import SimilaritySearch
import Testing

@Suite struct HalfPrecisionTests {
    @Test func knownValues() {
        // Exactly representable: both directions.
        let exact: [(Float, UInt16)] = [
            (0, 0x0000), (-0.0, 0x8000), (1, 0x3C00), (-2, 0xC000), (65504, 0x7BFF), (0x1p-24, 0x0001),
            (0x1p-14, 0x0400), (.infinity, 0x7C00), (-.infinity, 0xFC00), (1.0009765625, 0x3C01),
        ]
        for (value, bits) in exact {
            #expect(HalfPrecision.encode(value) == bits, "encode(\(value))")
            #expect(HalfPrecision.decode(bits).bitPattern == value.bitPattern, "decode(\(bits))")
        }
        // Rounding: to nearest, ties to even, overflow to infinity, underflow to zero.
        let rounded: [(Float, UInt16)] = [
            (65520, 0x7C00), (1e10, 0x7C00), (0x1p-25, 0x0000), (0x1.8p-25, 0x0001), (1e-10, 0x0000),
            (1.00048828125, 0x3C00), (1.00146484375, 0x3C02), (-1.0007, 0xBC01),
        ]
        for (value, bits) in rounded { #expect(HalfPrecision.encode(value) == bits, "encode(\(value))") }
        #expect(HalfPrecision.decode(HalfPrecision.encode(.nan)).isNaN)
    }

    @Test func everyHalfRoundTrips() {
        for raw in 0...UInt16.max {
            let value = HalfPrecision.decode(raw)
            if value.isNaN {
                #expect((raw & 0x7C00) == 0x7C00 && (raw & 0x3FF) != 0)
                #expect(HalfPrecision.decode(HalfPrecision.encode(value)).isNaN)
            } else {
                #expect(HalfPrecision.encode(value) == raw, "\(raw)")
            }
        }
    }

    #if !(os(macOS) && arch(x86_64))
    /// Where the standard library has Float16, it is the reference for both directions.
    @Test func matchesStandardLibraryFloat16() {
        for raw in 0...UInt16.max {
            let reference = Float(Float16(bitPattern: raw))
            let value = HalfPrecision.decode(raw)
            #expect(value.bitPattern == reference.bitPattern || (value.isNaN && reference.isNaN), "\(raw)")
        }
        var rng = SeededGenerator(seed: 31)
        for _ in 0..<1_000_000 {
            // Random bit patterns cover every exponent, including subnormals and overflow.
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            let reference = Float16(value)
            if value.isNaN {
                #expect(HalfPrecision.decode(HalfPrecision.encode(value)).isNaN)
            } else {
                #expect(HalfPrecision.encode(value) == reference.bitPattern, "\(value)")
            }
        }
    }
    #endif

    @Test func embeddingsSurviveWithTheirCosines() {
        var rng = SeededGenerator(seed: 32)
        let vector = (0..<512).map { _ in rng.gaussian() * 0.05 }
        let other = (0..<512).map { _ in rng.gaussian() * 0.05 }
        let halfVector = HalfPrecision.decode(HalfPrecision.encode(vector))
        let halfOther = HalfPrecision.decode(HalfPrecision.encode(other))
        #expect(halfVector.count == 512)
        #expect(Synthetic.cosine(vector[...], halfVector[...]) > 0.99999)
        #expect(abs(Synthetic.cosine(vector[...], other[...]) - Synthetic.cosine(halfVector[...], halfOther[...])) < 1e-3)
        #expect(HalfPrecision.encode([Float]()).isEmpty && HalfPrecision.decode([UInt16]()).isEmpty)
    }
}
