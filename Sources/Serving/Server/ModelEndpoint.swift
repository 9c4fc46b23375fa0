import Classification

/// One served model: its classifier and the batcher that feeds it.
public struct ModelEndpoint: Sendable {
    public let classifier: Classifier
    public let batcher: DynamicBatcher

    public var name: String { classifier.model.name }
    public var version: String { classifier.resultVersion }

    public init(classifier: Classifier, batcher: DynamicBatcher) {
        self.classifier = classifier
        self.batcher = batcher
    }

    func key(sha256: String) -> CacheKey { CacheKey(sha256: sha256, model: name, version: version) }
}
