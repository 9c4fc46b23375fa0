/// One class and its probability.
public struct Label: Sendable, Codable, Equatable {
    /// The ImageNet class index (0 = tench … 999 = toilet tissue).
    public var index: Int
    public var name: String
    /// Softmax probability.
    public var score: Float

    public init(index: Int, name: String, score: Float) {
        self.index = index
        self.name = name
        self.score = score
    }
}

/// What a model says about one image.
///
/// Keyed by content hash and model version rather than by path, so the same record can be
/// cached, stored in the catalog and served under an immutable URL.
public struct Prediction: Sendable, Codable, Equatable {
    public var sha256: String
    public var model: String
    public var modelVersion: String
    public var labels: [Label]
    /// The pooled feature vector, when asked for.
    public var embedding: [Float]?

    public init(sha256: String, model: String, modelVersion: String, labels: [Label], embedding: [Float]? = nil) {
        self.sha256 = sha256
        self.model = model
        self.modelVersion = modelVersion
        self.labels = labels
        self.embedding = embedding
    }

    enum CodingKeys: String, CodingKey {
        case sha256, model, labels, embedding
        case modelVersion = "model_version"
    }
}
