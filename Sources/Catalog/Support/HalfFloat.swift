/// IEEE 754 binary16 conversion by bit manipulation.
///
/// Written out rather than using Swift's `Float16` because that type does not exist on Intel
/// macOS, one of the platforms the package declares; the stored bytes must decode identically
/// everywhere.
enum HalfFloat {
    /// The nearest binary16 value (ties to even); out-of-range values become infinities and NaN
    /// stays NaN, as a hardware conversion would.
    static func bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: bits >> 16) & 0x8000
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF

        if exponent == 0xFF {
            // Keep NaN a NaN even when its payload lives only in the low bits we drop.
            return mantissa == 0 ? sign | 0x7C00 : sign | 0x7E00 | UInt16(truncatingIfNeeded: mantissa >> 13)
        }
        let halfExponent = exponent - 127 + 15
        if halfExponent >= 0x1F {
            return sign | 0x7C00
        }
        if halfExponent <= 0 {
            // Subnormal result: the value is (implicit 1 + mantissa) shifted below the smallest exponent.
            if halfExponent < -10 { return sign }
            let significand = mantissa | 0x80_0000
            let shift = UInt32(14 - halfExponent)
            return sign | UInt16(truncatingIfNeeded: roundShifted(significand, by: shift))
        }
        // A carry out of the mantissa correctly bumps the exponent, up to infinity.
        let unrounded = UInt32(halfExponent) << 23 | mantissa
        return sign | UInt16(truncatingIfNeeded: roundShifted(unrounded, by: 13))
    }

    /// The exact `Float` for a binary16 bit pattern (every binary16 value is representable).
    static func float(from bits: UInt16) -> Float {
        let sign: UInt32 = UInt32(bits & 0x8000) << 16
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
        }
    }

    /// `value >> shift`, rounded to nearest with ties to even.
    private static func roundShifted(_ value: UInt32, by shift: UInt32) -> UInt32 {
        let kept = value >> shift
        let remainder = value & ((1 << shift) - 1)
        let half: UInt32 = 1 << (shift - 1)
        if remainder > half || (remainder == half && kept & 1 == 1) {
            return kept + 1
        }
        return kept
    }
}
