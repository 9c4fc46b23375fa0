import Foundation
import ImageDecoding

/// A PDQ hash with the reference's quality score (0...100): how much gradient the picture has.
/// Lists are usually built from hashes of quality 50 or more; flat images hash unreliably.
public struct PDQResult: Sendable, Hashable {
    public var hash: PDQHash
    public var quality: Int
}

/// PDQ, following Meta's published description (ThreatExchange `hashing.pdf`) step by step,
/// with the reference's single-precision arithmetic and its order of summation so hashes agree
/// bit for bit with other implementations given the same pixels:
///
/// 1. luminance `0.299 R + 0.587 G + 0.114 B`;
/// 2. two passes of a box filter along rows, then columns (Jarosz: two boxes make a tent), the
///    window `ceil(dimension / 128)` so 64 output samples each see their neighbourhood;
/// 3. point-sample the filtered image at 64×64 cell centres;
/// 4. quality: the sum of absolute neighbour differences (in percent of 255, truncated) / 90;
/// 5. the 16×16 lowest non-DC frequencies of a 2-D DCT-II;
/// 6. bit `k` is set when coefficient `k` is above the median coefficient.
///
/// Images smaller than 5 pixels either way hash to zero with quality 0, as in the reference.
public enum PDQ {
    static let sampleSize = 64
    static let coefficients = 16
    static let minimumDimension = 5

    public static func hash(_ image: RGBImage) -> PDQResult {
        let (rows, cols) = (image.height, image.width)
        guard rows >= minimumDimension, cols >= minimumDimension else {
            return PDQResult(hash: PDQHash(lanes: (0, 0, 0, 0)), quality: 0)
        }
        var luma = [Float](repeating: 0, count: rows * cols)
        image.pixels.withUnsafeBufferPointer { rgb in
            for i in 0..<(rows * cols) {
                // In double precision, then rounded once, as the reference's bindings do.
                let y = Double(rgb[3 * i]) * 0.299 + Double(rgb[3 * i + 1]) * 0.587 + Double(rgb[3 * i + 2]) * 0.114
                luma[i] = Float(y)
            }
        }
        return hash(luma: &luma, rows: rows, cols: cols)
    }

    /// Hashes a row-major luminance plane (values 0...255); `luma` is used as scratch.
    static func hash(luma: inout [Float], rows: Int, cols: Int) -> PDQResult {
        var scratch = [Float](repeating: 0, count: rows * cols)
        let windowAlongRows = windowSize(cols), windowAlongCols = windowSize(rows)
        for _ in 0..<2 {
            boxAlongRows(luma, into: &scratch, rows: rows, cols: cols, window: windowAlongRows)
            boxAlongCols(scratch, into: &luma, rows: rows, cols: cols, window: windowAlongCols)
        }
        var small = [Float](repeating: 0, count: sampleSize * sampleSize)
        for i in 0..<sampleSize {
            let row = Int((Double(i) + 0.5) * Double(rows) / Double(sampleSize))
            for j in 0..<sampleSize {
                let col = Int((Double(j) + 0.5) * Double(cols) / Double(sampleSize))
                small[i * sampleSize + j] = luma[row * cols + col]
            }
        }
        let quality = qualityScore(small)
        let dct = dct64To16(small)
        let median = lowerMedian(dct)
        return PDQResult(hash: PDQHash(bits: dct.map { $0 > median }), quality: quality)
    }

    /// The reference's `(dimension + 2·64 − 1) / (2·64)`.
    static func windowSize(_ dimension: Int) -> Int {
        (dimension + 2 * sampleSize - 1) / (2 * sampleSize)
    }

    static func boxAlongRows(_ input: [Float], into output: inout [Float], rows: Int, cols: Int, window: Int) {
        for i in 0..<rows { box(input, into: &output, start: i * cols, length: cols, stride: 1, window: window) }
    }

    static func boxAlongCols(_ input: [Float], into output: inout [Float], rows: Int, cols: Int, window: Int) {
        for j in 0..<cols { box(input, into: &output, start: j, length: rows, stride: cols, window: window) }
    }

    /// A running-sum box filter centred on each sample, its window shrinking at the ends (the
    /// average is over the samples that exist), in the reference's four phases.
    static func box(_ input: [Float], into output: inout [Float], start: Int, length: Int, stride: Int, window: Int) {
        let half = (window + 2) / 2
        var left = start, right = start, out = start
        var sum: Float = 0, count = 0
        for _ in 0..<(half - 1) {
            sum += input[right]; count += 1; right += stride
        }
        for _ in 0..<(window - half + 1) {
            sum += input[right]; count += 1; output[out] = sum / Float(count); right += stride; out += stride
        }
        for _ in 0..<max(0, length - window) {
            sum += input[right]; sum -= input[left]; output[out] = sum / Float(count)
            left += stride; right += stride; out += stride
        }
        for _ in 0..<(half - 1) {
            sum -= input[left]; count -= 1; output[out] = sum / Float(count); left += stride; out += stride
        }
    }

    static func qualityScore(_ small: [Float]) -> Int {
        var gradientSum = 0
        for i in 0..<(sampleSize - 1) {
            for j in 0..<sampleSize {
                let d = (small[i * sampleSize + j] - small[(i + 1) * sampleSize + j]) * 100 / 255
                gradientSum += abs(Int(d))
            }
        }
        for i in 0..<sampleSize {
            for j in 0..<(sampleSize - 1) {
                let d = (small[i * sampleSize + j] - small[i * sampleSize + j + 1]) * 100 / 255
                gradientSum += abs(Int(d))
            }
        }
        return min(100, gradientSum / 90)
    }

    /// `sqrt(2/64) cos(π/128 · (i + 1)(2j + 1))`: rows 1...16 of the DCT-II basis, the DC row skipped.
    static let dctMatrix: [Float] = (0..<(coefficients * sampleSize)).map { index in
        let (i, j) = (index / sampleSize, index % sampleSize)
        return Float(sqrt(2.0 / 64.0) * cos(Double.pi / 2 / 64 * Double(i + 1) * Double(2 * j + 1)))
    }

    /// `D · A · Dᵀ` for the 64×64 `A`, summing in the reference's order.
    static func dct64To16(_ a: [Float]) -> [Float] {
        let d = dctMatrix, n = sampleSize, m = coefficients
        var t = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for k in 0..<n { sum += d[i * n + k] * a[k * n + j] }
                t[i * n + j] = sum
            }
        }
        var b = [Float](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in 0..<m {
                var sum: Float = 0
                for k in 0..<n { sum += t[i * n + k] * d[j * n + k] }
                b[i * m + j] = sum
            }
        }
        return b
    }

    /// The 128th smallest of the 256 values, which Torben's median in the reference returns.
    static func lowerMedian(_ values: [Float]) -> Float {
        values.sorted()[(values.count + 1) / 2 - 1]
    }
}
