/// The payload of a `moderation.heavy` job: the image is read back from the object store by
/// hash. Here, beside the cascade, because the online path queues it and a worker runs it.
public struct HeavyModerationJob: Codable, Sendable {
    public static let kind = "moderation.heavy"

    public var sha256: String

    public init(sha256: String) { self.sha256 = sha256 }
}
