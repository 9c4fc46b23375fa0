import ImageDecoding

/// NudeNet's input: the image padded with black at the bottom or right to a square (top-left
/// placement), resized to `size`, in BGR order, scaled to [0, 1], NCHW.
///
/// The resize reproduces OpenCV's `INTER_LINEAR` (what nudenet's `cv2.dnn.blobFromImage` uses):
/// pixel centres aligned, two taps per axis, edge clamped, rounded back to 8 bits before scaling.
/// Matching it rather than using our antialiasing resampler keeps the detector's scores within
/// rounding of the Python package's, which the reference test checks. The padded square is
/// never materialised: samples outside the image read as black.
public struct Letterbox: Sendable, Equatable {
    /// The model's square input side.
    public let size: Int
    /// Original (upright) image size.
    public let imageWidth: Int
    public let imageHeight: Int

    public init(size: Int, imageWidth: Int, imageHeight: Int) {
        self.size = size
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
    }

    /// The padded square's side: the longer image side.
    public var paddedSide: Int { max(imageWidth, imageHeight) }

    /// Original pixels per model-input pixel.
    public var scale: Float { Float(paddedSide) / Float(size) }

    /// The `[3, size, size]` BGR planes for `image`, which must be `imageWidth × imageHeight`.
    public func tensor(for image: RGBImage) -> [Float] {
        precondition(image.width == imageWidth && image.height == imageHeight, "the image does not match the letterbox")
        let side = paddedSide
        let columns = Self.taps(source: side, destination: size)
        let rows = Self.taps(source: side, destination: size)
        let plane = size * size
        var out = [Float](repeating: 0, count: 3 * plane)
        let width = imageWidth, height = imageHeight
        image.pixels.withUnsafeBufferPointer { pixels in
            out.withUnsafeMutableBufferPointer { output in
                let source = pixels.baseAddress!, planes = output.baseAddress!
                // Index of a pixel's red byte, or -1 for the black padding.
                func offset(_ sx: Int, _ sy: Int) -> Int { sx < width && sy < height ? (sy * width + sx) * 3 : -1 }
                for y in 0..<size {
                    let (y0, fy) = rows[y]
                    let y1 = min(y0 + 1, side - 1)
                    for x in 0..<size {
                        let (x0, fx) = columns[x]
                        let x1 = min(x0 + 1, side - 1)
                        let corners = (offset(x0, y0), offset(x1, y0), offset(x0, y1), offset(x1, y1))
                        let weights = ((1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy)
                        for channel in 0..<3 {
                            var sum: Float = 0
                            if corners.0 >= 0 { sum += weights.0 * Float(source[corners.0 + channel]) }
                            if corners.1 >= 0 { sum += weights.1 * Float(source[corners.1 + channel]) }
                            if corners.2 >= 0 { sum += weights.2 * Float(source[corners.2 + channel]) }
                            if corners.3 >= 0 { sum += weights.3 * Float(source[corners.3 + channel]) }
                            // BGR: red (channel 0) goes to plane 2.
                            planes[(2 - channel) * plane + y * size + x] = sum.rounded() / 255
                        }
                    }
                }
            }
        }
        return out
    }

    /// Maps a box in model-input pixels (centre x, centre y, width, height) to the original image,
    /// clipped to it the way nudenet clips.
    public func originalBox(cx: Float, cy: Float, w: Float, h: Float) -> Detection.Box {
        let s = scale
        var x = (cx - w / 2) * s, y = (cy - h / 2) * s
        var width = w * s, height = h * s
        x = max(0, min(x, Float(imageWidth)))
        y = max(0, min(y, Float(imageHeight)))
        width = min(width, Float(imageWidth) - x)
        height = min(height, Float(imageHeight) - y)
        return Detection.Box(x: x, y: y, width: width, height: height)
    }

    /// OpenCV's INTER_LINEAR source index and weight for each destination pixel.
    static func taps(source: Int, destination: Int) -> [(Int, Float)] {
        let ratio = Double(source) / Double(destination)
        return (0..<destination).map { d in
            let f = (Double(d) + 0.5) * ratio - 0.5
            var index = Int(f.rounded(.down))
            var weight = Float(f - Double(index))
            if index < 0 {
                index = 0
                weight = 0
            }
            if index >= source - 1 {
                index = source - 1
                weight = 0
            }
            return (index, weight)
        }
    }
}

extension [Float] {
    /// A `[3, size, size]` tensor mirrored left to right: the test-time augmentation's input.
    func mirroredPlanes(size: Int) -> [Float] {
        var out = self
        for row in 0..<(3 * size) {
            let base = row * size
            for x in 0..<size {
                out[base + x] = self[base + size - 1 - x]
            }
        }
        return out
    }
}
