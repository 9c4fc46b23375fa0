extension Catalog {
    /// Rejects a `record(...)` call whose parts describe different images, before any SQL runs:
    /// such a call is a caller bug, and storing the parts under other images would hide it.
    static func checkParts(
        of image: NewImage, predictions: [PredictionRecord], embeddings: [EmbeddingRecord]
    ) throws(CatalogError) {
        if let stray = predictions.first(where: { $0.sha256 != image.sha256 }) {
            throw .invalidRecord(
                "record(image:) got a prediction for \(stray.sha256) while recording \(image.sha256); "
                    + "pass only that image's predictions")
        }
        if let stray = embeddings.first(where: { $0.sha256 != image.sha256 }) {
            throw .invalidRecord(
                "record(image:) got an embedding for \(stray.sha256) while recording \(image.sha256); "
                    + "pass only that image's embeddings")
        }
    }

    /// Page sizes outside 1...100 000 are caller bugs (0 would loop forever in a scan).
    static func checkLimit(_ limit: Int) throws(CatalogError) {
        guard (1...100_000).contains(limit) else {
            throw .invalidRecord("page limit must be between 1 and 100000, got \(limit)")
        }
    }
}
