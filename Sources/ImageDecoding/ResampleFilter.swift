/// The interpolation kernels used to resize images for models.
///
/// They follow the definitions Pillow uses, because the models' reference preprocessing is
/// written with Pillow; matching the kernel keeps Swift's tensors within rounding of Python's.
public enum ResampleFilter: String, Sendable, Codable, Hashable {
    /// Area averaging: each output pixel is the mean of the source pixels it covers.
    case box
    case bilinear
    case bicubic

    /// How far the kernel reaches, in source pixels, when not downscaling.
    var support: Double {
        switch self {
        case .box: return 0.5
        case .bilinear: return 1
        case .bicubic: return 2
        }
    }

    func weight(_ x: Double) -> Double {
        if self == .box { return x >= -0.5 && x < 0.5 ? 1 : 0 }
        let x = abs(x)
        switch self {
        case .box:
            return 1
        case .bilinear:
            return x < 1 ? 1 - x : 0
        case .bicubic:
            // Keys' cubic convolution with a = -0.5.
            let a = -0.5
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        }
    }
}

/// Per-output-pixel source windows and weights for resizing one axis.
///
/// When downscaling, the kernel is stretched by the scale factor so every source pixel
/// contributes (antialiasing); this is what makes the result match Pillow's `resize`.
struct ResampleCoefficients {
    /// First source index of each output pixel's window.
    var start: [Int]
    /// Number of taps for every window; windows shorter than this are zero-padded.
    var taps: Int
    /// `taps` weights per output pixel, normalised to sum to 1.
    var weights: [Float]

    /// Coefficients for output pixels `outputRange` of an axis resized from `inputSize` to `outputSize`.
    init(inputSize: Int, outputSize: Int, outputRange: Range<Int>, filter: ResampleFilter) {
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        taps = Int(support.rounded(.up)) * 2 + 1
        start = []
        start.reserveCapacity(outputRange.count)
        weights = [Float](repeating: 0, count: outputRange.count * taps)
        var window = [Double](repeating: 0, count: taps)
        for (i, out) in outputRange.enumerated() {
            let center = (Double(out) + 0.5) * scale
            let low = max(Int(center - support + 0.5), 0)
            let high = min(Int(center + support + 0.5), inputSize)
            var total = 0.0
            let count = min(high - low, taps)
            for t in 0..<count {
                window[t] = filter.weight((Double(t + low) - center + 0.5) / filterScale)
                total += window[t]
            }
            start.append(low)
            for t in 0..<count {
                weights[i * taps + t] = Float(total == 0 ? 0 : window[t] / total)
            }
        }
    }
}
