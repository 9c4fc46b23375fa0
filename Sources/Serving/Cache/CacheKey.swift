/// What a cached prediction is keyed by: the file's SHA-256, the model, and the result version
/// (weights plus preprocessing; see `Classifier.resultVersion`).
///
/// The file hash rather than a hash of the decoded tensor (Triton's choice) because a client can
/// compute it before uploading, because SHA-256 does not collide in practice, and because it
/// makes predictions addressable by immutable URLs.
public struct CacheKey: Sendable, Hashable {
    public var sha256: String
    public var model: String
    public var version: String

    public init(sha256: String, model: String, version: String) {
        self.sha256 = sha256
        self.model = model
        self.version = version
    }
}
