extension Preprocessing {
    /// Resizes, centre-crops and normalises `image` into one image's slot of an NCHW tensor.
    ///
    /// Only the pixels inside the crop are computed: the horizontal pass runs on just the source
    /// rows the crop needs, and the vertical pass writes the normalised planes directly, so there
    /// is no full-size resized copy.
    public func write(_ image: RGBImage, into destination: UnsafeMutableBufferPointer<Float>) {
        precondition(destination.count >= elementCount, "the destination holds fewer than \(elementCount) floats")
        let size = inputSize
        let (resizedWidth, resizedHeight) = resizedSize(width: image.width, height: image.height)
        let origin = cropOrigin(resizedWidth: resizedWidth, resizedHeight: resizedHeight)
        let columns = ResampleCoefficients(inputSize: image.width, outputSize: resizedWidth,
                                           outputRange: origin.x..<origin.x + size, filter: filter)
        let rows = ResampleCoefficients(inputSize: image.height, outputSize: resizedHeight,
                                        outputRange: origin.y..<origin.y + size, filter: filter)
        // Source rows the crop depends on.
        let firstRow = rows.start.min() ?? 0
        let lastRow = min((rows.start.max() ?? 0) + rows.taps, image.height)
        let rowCount = lastRow - firstRow
        let rowStride = size * 3

        var horizontal = [Float](repeating: 0, count: rowCount * rowStride)
        image.pixels.withUnsafeBufferPointer { source in
            horizontal.withUnsafeMutableBufferPointer { out in
                columns.weights.withUnsafeBufferPointer { weights in
                    let src = source.baseAddress!, dst = out.baseAddress!, w = weights.baseAddress!
                    let taps = columns.taps, width = image.width
                    for r in 0..<rowCount {
                        let line = src + (firstRow + r) * width * 3
                        let outLine = dst + r * rowStride
                        for x in 0..<size {
                            let begin = columns.start[x]
                            let count = min(taps, width - begin)
                            var red: Float = 0, green: Float = 0, blue: Float = 0
                            let kernel = w + x * taps
                            var pixel = line + begin * 3
                            for t in 0..<count {
                                let k = kernel[t]
                                red += k * Float(pixel[0])
                                green += k * Float(pixel[1])
                                blue += k * Float(pixel[2])
                                pixel += 3
                            }
                            outLine[x * 3] = red
                            outLine[x * 3 + 1] = green
                            outLine[x * 3 + 2] = blue
                        }
                    }
                }
            }
        }

        let plane = size * size
        let (first, last) = channelOrder == .rgb ? (0, 2) : (2, 0)
        let scale = std.map { 1 / $0 }
        let offset = zip(mean, scale).map { -$0 * $1 }
        var accumulator = [Float](repeating: 0, count: rowStride)
        horizontal.withUnsafeBufferPointer { source in
            rows.weights.withUnsafeBufferPointer { weights in
                accumulator.withUnsafeMutableBufferPointer { acc in
                    let src = source.baseAddress!, w = weights.baseAddress!, sum = acc.baseAddress!
                    let out = destination.baseAddress!
                    for y in 0..<size {
                        let begin = rows.start[y] - firstRow
                        let count = min(rows.taps, rowCount - begin)
                        sum.update(repeating: 0, count: rowStride)
                        for t in 0..<count {
                            let k = w[y * rows.taps + t]
                            let line = src + (begin + t) * rowStride
                            for i in 0..<rowStride { sum[i] += k * line[i] }
                        }
                        // Round and clamp to 8 bits, as the reference does by producing an
                        // 8-bit image, then normalise into the output planes.
                        let row = y * size
                        for x in 0..<size {
                            let r = min(max(sum[x * 3].rounded(), 0), 255)
                            let g = min(max(sum[x * 3 + 1].rounded(), 0), 255)
                            let b = min(max(sum[x * 3 + 2].rounded(), 0), 255)
                            out[first * plane + row + x] = r * scale[0] + offset[0]
                            out[plane + row + x] = g * scale[1] + offset[1]
                            out[last * plane + row + x] = b * scale[2] + offset[2]
                        }
                    }
                }
            }
        }
    }

    /// A new tensor slot for `image`; see `write(_:into:)`.
    public func tensor(for image: RGBImage) -> [Float] {
        var out = [Float](repeating: 0, count: elementCount)
        out.withUnsafeMutableBufferPointer { write(image, into: $0) }
        return out
    }
}
