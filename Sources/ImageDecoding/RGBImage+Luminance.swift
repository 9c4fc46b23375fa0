/// An image's luminance plane, in 0...255, row-major.
public struct LuminancePlane: Sendable {
    public let width: Int
    public let height: Int
    public var values: [Float]

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
        for r in 0..<regionHeight {
            let line = (y + r) * width + x
            for c in 0..<outWidth {
                let begin = columns.start[c]
                var sum: Float = 0
                for t in 0..<min(columns.taps, regionWidth - begin) {
                    sum += columns.weights[c * columns.taps + t] * values[line + begin + t]
                }
                horizontal[r * outWidth + c] = sum
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
    /// Luminance with ITU-R BT.601 weights, as Pillow's "L" mode.
    public func luminance() -> LuminancePlane {
        var values = [Float](repeating: 0, count: width * height)
        pixels.withUnsafeBufferPointer { source in
            for i in 0..<(width * height) {
                values[i] = 0.299 * Float(source[i * 3]) + 0.587 * Float(source[i * 3 + 1]) + 0.114 * Float(source[i * 3 + 2])
            }
        }
        return LuminancePlane(width: width, height: height, values: values)
    }

    /// The luminance area-averaged down to `width` × `height`.
    public func luminance(width outWidth: Int, height outHeight: Int) -> [Float] {
        luminance().resized(toWidth: outWidth, height: outHeight)
    }
}
