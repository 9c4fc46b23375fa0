import ImageDecoding

/// A 64-bit DCT perceptual hash: near-identical pictures get hashes a few bits apart, whatever
/// their size, format or compression.
///
/// The image is reduced to 32×32 luminance, transformed with a 2-D DCT-II, and the 8×8 lowest
/// frequencies (the DC term included) are compared with their median: each bit says whether a
/// coarse pattern is stronger or weaker than typical. Resizing, recompression and mild
/// brightness changes barely move those patterns; a different picture moves about half the bits.
public struct PerceptualHash: Sendable, Hashable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    /// Parses the 16-digit hex form.
    public init?(hex: some StringProtocol) {
        guard hex.count == 16, let value = UInt64(hex, radix: 16) else { return nil }
        self.value = value
    }

    /// The number of differing bits, 0...64.
    public func distance(to other: PerceptualHash) -> Int {
        (value ^ other.value).nonzeroBitCount
    }

    /// 16 lowercase hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public var description: String { hex }

    static let sampleSize = 32
    static let frequencies = 8

    /// `cos(π (2x + 1) u / 64)` for u < 8 and x < 32, the only DCT terms the hash uses.
    static let cosines: [Float] = {
        var table = [Float](repeating: 0, count: frequencies * sampleSize)
        for u in 0..<frequencies {
            for x in 0..<sampleSize {
                table[u * sampleSize + x] = Float(_cos(Double.pi * Double(2 * x + 1) * Double(u) / Double(2 * sampleSize)))
            }
        }
        return table
    }()

    /// Hashes decoded pixels.
    public init(image: RGBImage) {
        self.init(samples: image.luminance(width: Self.sampleSize, height: Self.sampleSize))
    }

    /// Hashes 32×32 luminance samples: a 2-D DCT-II, of which the 8×8 lowest frequencies are
    /// thresholded at their median.
    init(samples luma: [Float]) {
        let n = Self.sampleSize, k = Self.frequencies
        // Row transform: 32 rows × 8 frequencies; then column transform: 8 × 8.
        var rows = [Float](repeating: 0, count: n * k)
        for y in 0..<n {
            for u in 0..<k {
                var sum: Float = 0
                for x in 0..<n { sum += luma[y * n + x] * Self.cosines[u * n + x] }
                rows[y * k + u] = sum
            }
        }
        var coefficients = [Float](repeating: 0, count: k * k)
        for v in 0..<k {
            for u in 0..<k {
                var sum: Float = 0
                for y in 0..<n { sum += rows[y * k + u] * Self.cosines[v * n + y] }
                coefficients[v * k + u] = sum
            }
        }
        let sorted = coefficients.sorted()
        let median = (sorted[31] + sorted[32]) / 2
        var bits: UInt64 = 0
        for (i, c) in coefficients.enumerated() where c > median {
            bits |= 1 << UInt64(63 - i)
        }
        value = bits
    }
}

#if canImport(Glibc)
import Glibc
private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
