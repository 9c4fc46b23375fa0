/// One box the detector kept: which class, how sure, and where in the original image.
public struct Detection: Sendable, Codable, Equatable {
    /// The detector's class index (NudeNet: 0 = FEMALE_GENITALIA_COVERED … 17 = BUTTOCKS_COVERED).
    public var classIndex: Int
    public var label: String
    public var score: Float
    /// Left, top, width and height in pixels of the original (upright) image, clipped to it.
    public var box: Box

    public struct Box: Sendable, Codable, Equatable {
        public var x: Float
        public var y: Float
        public var width: Float
        public var height: Float

        public init(x: Float, y: Float, width: Float, height: Float) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
        }

        public var area: Float { max(0, width) * max(0, height) }

        /// Intersection over union, 0 when either box is empty.
        public func iou(_ other: Box) -> Float {
            let w = max(0, min(x + width, other.x + other.width) - max(x, other.x))
            let h = max(0, min(y + height, other.y + other.height) - max(y, other.y))
            let intersection = w * h
            let union = area + other.area - intersection
            return union > 0 ? intersection / union : 0
        }
    }

    public init(classIndex: Int, label: String, score: Float, box: Box) {
        self.classIndex = classIndex
        self.label = label
        self.score = score
        self.box = box
    }

    enum CodingKeys: String, CodingKey {
        case classIndex = "class_index"
        case label, score, box
    }
}

/// What one detector pass says about an image.
public struct DetectionResult: Sendable, Codable, Equatable {
    /// Boxes above the confidence threshold after per-class NMS, highest score first.
    public var detections: [Detection]
    /// Per class, the highest score of any candidate box, whatever the threshold and NMS.
    ///
    /// This is what the policy scores a class by: it does not depend on the box-drawing
    /// thresholds, and it can be averaged across test-time augmentations where boxes cannot.
    public var classMaxScores: [Float]

    public init(detections: [Detection], classMaxScores: [Float]) {
        self.detections = detections
        self.classMaxScores = classMaxScores
    }

    enum CodingKeys: String, CodingKey {
        case detections
        case classMaxScores = "class_max_scores"
    }
}
