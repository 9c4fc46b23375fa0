import Foundation

/// What one version of one model said about one image.
///
/// Keyed by (sha256, model, modelVersion) so re-running the same model replaces its answer while a
/// new model version adds a row beside the old one, which is what comparing versions needs.
public struct PredictionRecord: Sendable, Codable, Equatable, Hashable {
    public let sha256: String
    public let model: String
    public let modelVersion: String
    /// Best first, as the classifier ranked them; stored as JSON (SQLite) or JSONB (PostgreSQL).
    public let labels: [StoredLabel]
    public let createdAt: Date

    /// `createdAt` is rounded to whole microseconds so the record survives a round trip unchanged.
    public init(sha256: String, model: String, modelVersion: String, labels: [StoredLabel], createdAt: Date = Date()) {
        self.sha256 = sha256
        self.model = model
        self.modelVersion = modelVersion
        self.labels = labels
        self.createdAt = CatalogTime.rounded(createdAt)
    }
}
