/// IEEE 754 half-precision (binary16) conversion for compact embedding storage.
///
/// A 512-float embedding is 2 KB as Float and 1 KB as half; the rounding error (relative
/// 2⁻¹¹ per component) moves cosine similarities by about 10⁻⁴, far below what separates a
/// neighbour from a non-neighbour. Implemented on bit patterns rather than `Float16` because
/// `Float16` is unavailable on macOS on Intel, one of the platforms the package declares.
/// Float → half rounds to nearest, ties to even; values beyond ±65504 become ±infinity, NaNs
/// stay NaNs, tiny values become half subnormals or signed zero, exactly like `Float16(x)`.
public enum HalfPrecision {
    /// Each float as its half-precision bit pattern.
    public static func encode(_ values: [Float]) -> [UInt16] {
        values.map(encode)
    }

    /// Each half-precision bit pattern as a float (exact: every half is representable).
    public static func decode(_ bits: [UInt16]) -> [Float] {
        bits.map(decode)
    }

    /// One float as a half-precision bit pattern.
    public static func encode(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF

        if exponent == 0xFF {
            // Infinity stays infinity; a NaN keeps its top payload bits and is forced quiet.
            return mantissa == 0 ? sign | 0x7C00 : sign | 0x7E00 | UInt16(truncatingIfNeeded: mantissa >> 13)
        }
        let halfExponent = exponent - 127 + 15
        if halfExponent >= 31 { return sign | 0x7C00 }
        if halfExponent <= 0 {
            // Half subnormal (or zero): value / 2⁻²⁴ = full 24-bit mantissa >> (14 - halfExponent).
            let shift = 14 - halfExponent
            if shift > 24 { return sign }
            let full = mantissa | 0x80_0000
            var half = full >> UInt32(shift)
            let rest = full & ((1 << UInt32(shift)) - 1)
            let halfway = UInt32(1) << UInt32(shift - 1)
            if rest > halfway || (rest == halfway && half & 1 == 1) { half += 1 }
            return sign | UInt16(truncatingIfNeeded: half)
        }
        var half = UInt32(halfExponent) << 10 | mantissa >> 13
        let rest = mantissa & 0x1FFF
        // A carry out of the mantissa correctly bumps the exponent, up to infinity (0x7C00).
        if rest > 0x1000 || (rest == 0x1000 && half & 1 == 1) { half += 1 }
        return sign | UInt16(truncatingIfNeeded: half)
    }

    /// One half-precision bit pattern as a float.
    public static func decode(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa × 2⁻²⁴, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 31:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }
}
