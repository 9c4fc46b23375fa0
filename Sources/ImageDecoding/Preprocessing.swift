/// How a model wants its input: the resize rule, the crop, the channel order and the
/// normalisation, read from the model manifest.
public struct Preprocessing: Sendable, Hashable, Codable {
    public enum ChannelOrder: String, Sendable, Hashable, Codable {
        case rgb = "RGB"
        case bgr = "BGR"
    }

    /// The model's square input side, in pixels.
    public var inputSize: Int
    /// The shorter side the image is resized to before the centre crop.
    public var shorterSide: Int
    public var filter: ResampleFilter
    public var channelOrder: ChannelOrder
    /// Per channel, in the output channel order: `x = (pixel - mean) / std`.
    public var mean: [Float]
    public var std: [Float]

    public init(inputSize: Int, shorterSide: Int, filter: ResampleFilter = .bicubic,
                channelOrder: ChannelOrder = .rgb, mean: [Float], std: [Float]) {
        precondition(mean.count == 3 && std.count == 3, "mean and std need one value per channel")
        self.inputSize = inputSize
        self.shorterSide = shorterSide
        self.filter = filter
        self.channelOrder = channelOrder
        self.mean = mean
        self.std = std
    }

    /// Floats per image in the NCHW tensor.
    public var elementCount: Int { 3 * inputSize * inputSize }

    /// A stable description of every choice that changes the tensor, for cache keys: a change of
    /// preprocessing must not serve predictions computed under the old one.
    public var fingerprint: String {
        let m = mean.map { String($0) }.joined(separator: ",")
        let s = std.map { String($0) }.joined(separator: ",")
        return "v1:\(inputSize):short\(shorterSide):\(filter.rawValue):center:\(channelOrder.rawValue):\(m):\(s)"
    }

    /// The size of the image after resizing its shorter side to `shorterSide`.
    ///
    /// The longer side is truncated, as torchvision's `Resize(int)` does, so the crop offsets
    /// land where the Python reference puts them.
    public func resizedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        if width <= height {
            return (shorterSide, Int(Double(shorterSide) * Double(height) / Double(width)))
        }
        return (Int(Double(shorterSide) * Double(width) / Double(height)), shorterSide)
    }

    /// The top-left corner of the centre crop in the resized image (Python's `round`, which
    /// rounds halves to even).
    func cropOrigin(resizedWidth: Int, resizedHeight: Int) -> (x: Int, y: Int) {
        (Int((Double(resizedWidth - inputSize) / 2).rounded(.toNearestOrEven)),
         Int((Double(resizedHeight - inputSize) / 2).rounded(.toNearestOrEven)))
    }
}
