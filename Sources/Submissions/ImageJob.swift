import Jobs

/// The payload of an `image.analyse` job: classify, embed, hash and look up duplicates for one
/// stored image with one model version.
public struct ImageJob: Codable, Sendable, Hashable {
    /// The job kind the image handler claims.
    public static let kind = "image.analyse"

    /// The content key of the bytes in the object store.
    public var sha256: String
    public var model: String
    public var modelVersion: String
    /// The original file or part name, kept as the image's source name.
    public var name: String?

    enum CodingKeys: String, CodingKey {
        case sha256, model, modelVersion = "model_version", name
    }

    public init(sha256: String, model: String, modelVersion: String, name: String?) {
        self.sha256 = sha256
        self.model = model
        self.modelVersion = modelVersion
        self.name = name
    }

    /// The work's identity: the same bytes for the same model version is the same job.
    public var idempotencyKey: String { "\(Self.kind):\(sha256):\(model):\(modelVersion)" }

    public func newJob(priority: JobPriority, maxAttempts: Int = 5) throws(JobQueueError) -> NewJob {
        try NewJob(kind: Self.kind, idempotencyKey: idempotencyKey, payload: self, priority: priority, maxAttempts: maxAttempts)
    }
}
