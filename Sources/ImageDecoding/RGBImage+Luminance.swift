/// An image's luminance, in 0...255, read from its RGB pixels as needed.
///
/// Why not a plane of floats: it would be 4 bytes a pixel beside the 3 of the image, 400 MB for
/// a 100-megapixel upload, only to be averaged down to 32 × 32. Each value is computed where the
/// area average reads it, with the same arithmetic in the same order, so the hashes are the
/// ones a materialised plane gave, bit for bit.
public struct LuminancePlane: Sendable {
    public let width: Int
    public let height: Int
    let pixels: [UInt8]

    /// ITU-R BT.601 weights, as Pillow's "L" mode.
    @inline(__always)
    static func value(_ pixels: UnsafeBufferPointer<UInt8>, _ index: Int) -> Float {
        0.299 * Float(pixels[index * 3]) + 0.587 * Float(pixels[index * 3 + 1]) + 0.114 * Float(pixels[index * 3 + 2])
    }

    /// The region `x..<x+regionWidth`, `y..<y+regionHeight` area-averaged down to
    /// `outWidth` × `outHeight`.
    ///
    /// Perceptual hashes are computed from this: averaging every source pixel (rather than
    /// sampling) makes the result insensitive to the size and compression of the input.
    public func resized(x: Int = 0, y: Int = 0, regionWidth: Int? = nil, regionHeight: Int? = nil,
                        toWidth outWidth: Int, height outHeight: Int) -> [Float] {
        let regionWidth = regionWidth ?? width, regionHeight = regionHeight ?? height
        precondition(x >= 0 && y >= 0 && regionWidth > 0 && regionHeight > 0 && x + regionWidth <= width && y + regionHeight <= height)
        let columns = ResampleCoefficients(inputSize: regionWidth, outputSize: outWidth, outputRange: 0..<outWidth, filter: .box)
        let rows = ResampleCoefficients(inputSize: regionHeight, outputSize: outHeight, outputRange: 0..<outHeight, filter: .box)
        var horizontal = [Float](repeating: 0, count: regionHeight * outWidth)
        pixels.withUnsafeBufferPointer { source in
            for r in 0..<regionHeight {
                let line = (y + r) * width + x
                for c in 0..<outWidth {
                    let begin = columns.start[c]
                    var sum: Float = 0
                    for t in 0..<min(columns.taps, regionWidth - begin) {
                        sum += columns.weights[c * columns.taps + t] * Self.value(source, line + begin + t)
                    }
                    horizontal[r * outWidth + c] = sum
                }
            }
        }
        var result = [Float](repeating: 0, count: outWidth * outHeight)
        for r in 0..<outHeight {
            let begin = rows.start[r]
            for t in 0..<min(rows.taps, regionHeight - begin) {
                let weight = rows.weights[r * rows.taps + t]
                let line = (begin + t) * outWidth
                for c in 0..<outWidth { result[r * outWidth + c] += weight * horizontal[line + c] }
            }
        }
        return result
    }
}

extension RGBImage {
    /// Luminance with ITU-R BT.601 weights, as Pillow's "L" mode; shares the image's pixels.
    public func luminance() -> LuminancePlane {
        LuminancePlane(width: width, height: height, pixels: pixels)
    }

    /// The luminance area-averaged down to `width` × `height`.
    public func luminance(width outWidth: Int, height outHeight: Int) -> [Float] {
        luminance().resized(toWidth: outWidth, height: outHeight)
    }
}
