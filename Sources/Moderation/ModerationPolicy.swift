/// What the moderation cascade enforces: categories built from model outputs, each with the
/// scores at which an image is escalated, sent to review or blocked, plus the share of allowed
/// images sampled for human quality control.
///
/// A policy is data, loaded from YAML (`ModerationPolicy.load(yaml:…)`, example in
/// `config/moderation-policy.yaml`), because moderators tune thresholds far more often than code
/// changes. It is identified by its explicit `version` and the SHA-256 of its text (`id`), and
/// every decision records that id: a threshold edited without bumping `version` still yields a
/// different id, so cached decisions are never served under a policy that did not make them.
public struct ModerationPolicy: Sendable, Equatable {
    /// The `version:` the author wrote.
    public var version: Int
    /// SHA-256 (hex) of the policy file's text.
    public var contentHash: String
    /// Share (0…1) of allowed images sent to review anyway, chosen by content hash.
    public var sampleRate: Double
    public var categories: [Category]

    /// `3+1f2e3d4c5b6a`: the version and the start of the content hash; what decisions record.
    public var id: String { "\(version)+\(contentHash.prefix(12))" }

    public init(version: Int, contentHash: String, sampleRate: Double, categories: [Category]) {
        self.version = version
        self.contentHash = contentHash
        self.sampleRate = sampleRate
        self.categories = categories
    }

    /// One moderation category (`nudity`, `weapons`, …) and how it is scored and decided.
    ///
    /// Its score is the highest of its classes' scores: NudeNet's per-class maximum box score and
    /// ImageNet's softmax probability. Scores at or above `blockAt` block at once; at or above
    /// `reviewAt` a human decides; the light stage escalates anything at or above `escalateAt`
    /// (and below `blockAt`) to the heavy stage, so the cheap model never sends an item to a
    /// human on its own and never lets a borderline one through unchecked.
    public struct Category: Sendable, Equatable {
        public var name: String
        /// NudeNet class indices (into nudenet_classes.txt).
        public var detectorClasses: [Int]
        /// ImageNet class indices (into imagenet_classes.txt).
        public var imagenetClasses: [Int]
        public var escalateAt: Float
        public var reviewAt: Float
        public var blockAt: Float

        public init(
            name: String, detectorClasses: [Int] = [], imagenetClasses: [Int] = [],
            escalateAt: Float, reviewAt: Float, blockAt: Float
        ) {
            self.name = name
            self.detectorClasses = detectorClasses
            self.imagenetClasses = imagenetClasses
            self.escalateAt = escalateAt
            self.reviewAt = reviewAt
            self.blockAt = blockAt
        }
    }
}
