/// How a model wants its input image: the square size, colour order, resize and crop rule, and
/// per-channel normalisation `(pixel - mean) / std` on 0...255 values.
///
/// These differ per model (EfficientNet-Lite wants RGB, shorter side to size + 32 bicubic, centre
/// crop, `(x - 127) / 128`; NudeNet wants BGR letterboxed), and getting one wrong still produces
/// plausible-looking output, so they are data read from the manifest, never defaults in code.
public struct ModelInputSpec: Decodable, Sendable, Equatable {
    public enum Layout: String, Decodable, Sendable {
        case nchw = "NCHW"
    }

    public enum ColorOrder: String, Decodable, Sendable {
        case rgb = "RGB"
        case bgr = "BGR"
    }

    public enum Crop: String, Decodable, Sendable {
        case center
        case none
    }

    /// How the image is scaled before any crop.
    public struct Resize: Decodable, Sendable, Equatable {
        public enum Rule: String, Decodable, Sendable {
            /// Scale so the shorter side is `shorterSide`, keeping the aspect ratio.
            case shorterSide = "shorter_side"
            /// Scale the longer side to the input size and pad the rest.
            case letterbox
        }

        public enum Filter: String, Decodable, Sendable {
            case bicubic
            case bilinear
        }

        public var rule: Rule
        /// The target shorter side, for `.shorterSide`.
        public var shorterSide: Int?
        public var filter: Filter

        public init(rule: Rule, shorterSide: Int? = nil, filter: Filter) {
            self.rule = rule
            self.shorterSide = shorterSide
            self.filter = filter
        }

        enum CodingKeys: String, CodingKey {
            case rule, filter
            case shorterSide = "shorter_side"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            rule = try container.decode(Rule.self, forKey: .rule)
            shorterSide = try container.decodeIfPresent(Int.self, forKey: .shorterSide)
            filter = try container.decode(Filter.self, forKey: .filter)
            if rule == .shorterSide, (shorterSide ?? 0) <= 0 {
                throw DecodingError.dataCorruptedError(
                    forKey: .shorterSide, in: container,
                    debugDescription: "the shorter_side rule needs a positive shorter_side")
            }
        }
    }

    /// The ONNX input name.
    public var name: String
    /// The square side of the model input, in pixels.
    public var size: Int
    public var layout: Layout
    public var color: ColorOrder
    public var resize: Resize
    public var crop: Crop
    /// Per channel, in the model's colour order.
    public var mean: [Float]
    public var std: [Float]

    public init(
        name: String, size: Int, layout: Layout = .nchw, color: ColorOrder, resize: Resize, crop: Crop,
        mean: [Float], std: [Float]
    ) {
        self.name = name
        self.size = size
        self.layout = layout
        self.color = color
        self.resize = resize
        self.crop = crop
        self.mean = mean
        self.std = std
    }

    enum CodingKeys: String, CodingKey {
        case name, size, layout, color, resize, crop, mean, std
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        size = try container.decode(Int.self, forKey: .size)
        layout = try container.decode(Layout.self, forKey: .layout)
        color = try container.decode(ColorOrder.self, forKey: .color)
        resize = try container.decode(Resize.self, forKey: .resize)
        crop = try container.decode(Crop.self, forKey: .crop)
        mean = try container.decode([Float].self, forKey: .mean)
        std = try container.decode([Float].self, forKey: .std)
        if size <= 0 {
            throw DecodingError.dataCorruptedError(forKey: .size, in: container, debugDescription: "must be positive")
        }
        if mean.count != 3 {
            throw DecodingError.dataCorruptedError(
                forKey: .mean, in: container, debugDescription: "expected 3 values, found \(mean.count)")
        }
        if std.count != 3 || std.contains(where: { !($0 > 0) }) {
            throw DecodingError.dataCorruptedError(
                forKey: .std, in: container, debugDescription: "expected 3 positive values, found \(std)")
        }
    }
}
