import Catalog
import Foundation

/// What moderation concluded about one image, and everything needed to audit it later.
public struct ModerationDecision: Sendable, Codable, Equatable {
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        /// Nothing the policy cares about.
        case allow
        /// The light stage could not decide; the heavy stage must run (`HeavyModerationStage`).
        case uncertain
        /// Waiting for a human in the review queue.
        case review
        case block

        /// Worse outcomes win when categories disagree.
        var severity: Int {
            switch self {
            case .allow: 0
            case .uncertain: 1
            case .review: 2
            case .block: 3
            }
        }
    }

    /// Who decided: the cascade's stages or a person.
    public enum Stage: String, Sendable, Codable {
        case light, heavy, human
    }

    public var sha256: String
    public var outcome: Outcome
    public var stage: Stage
    /// Every category's score and verdict, in policy order.
    public var categories: [CategoryScore]
    /// The detector's boxes (original-image pixels), for the review page.
    public var detections: [Detection]
    /// An allowed image picked for quality-control review (see `ModerationPolicy.sampleRate`).
    public var sampled: Bool
    /// `ModerationPolicy.id` of the policy applied.
    public var policyVersion: String
    /// Model name → version for every model of the cascade that produced this decision.
    public var modelVersions: [String: String]
    /// For `.human` decisions: who and why.
    public var reviewer: String?
    public var reason: String?
    public var decidedAt: Date

    public init(
        sha256: String, outcome: Outcome, stage: Stage, categories: [CategoryScore], detections: [Detection] = [],
        sampled: Bool = false, policyVersion: String, modelVersions: [String: String], reviewer: String? = nil,
        reason: String? = nil, decidedAt: Date = Date()
    ) {
        self.sha256 = sha256
        self.outcome = outcome
        self.stage = stage
        self.categories = categories
        self.detections = detections
        self.sampled = sampled
        self.policyVersion = policyVersion
        self.modelVersions = modelVersions
        self.reviewer = reviewer
        self.reason = reason
        self.decidedAt = CatalogTime.rounded(decidedAt)
    }

    /// Whether a person must look at it: flagged for review, or sampled from the allowed.
    public var needsReview: Bool { outcome == .review || (outcome == .allow && sampled) }

    /// The category a review item is filed under: the highest-scoring flagged one, else the
    /// highest-scoring one.
    public var primaryCategory: String {
        let flagged = categories.filter { $0.verdict.severity >= Outcome.review.severity }
        return (flagged.isEmpty ? categories : flagged).max { $0.score < $1.score }?.name ?? "none"
    }

    /// `name=version` pairs, sorted: the models part of the decision cache's key.
    public var modelKey: String { Self.modelKey(modelVersions) }

    public static func modelKey(_ versions: [String: String]) -> String {
        versions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
    }

    enum CodingKeys: String, CodingKey {
        case sha256, outcome, stage, categories, detections, sampled, reviewer, reason
        case policyVersion = "policy_version"
        case modelVersions = "model_versions"
        case decidedAt = "decided_at"
    }

    /// `decided_at` is whole microseconds since 1970, as the catalog stores times, so a decision
    /// read back from either backend equals the one written.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            sha256: try c.decode(String.self, forKey: .sha256), outcome: try c.decode(Outcome.self, forKey: .outcome),
            stage: try c.decode(Stage.self, forKey: .stage), categories: try c.decode([CategoryScore].self, forKey: .categories),
            detections: try c.decode([Detection].self, forKey: .detections), sampled: try c.decode(Bool.self, forKey: .sampled),
            policyVersion: try c.decode(String.self, forKey: .policyVersion),
            modelVersions: try c.decode([String: String].self, forKey: .modelVersions),
            reviewer: try c.decodeIfPresent(String.self, forKey: .reviewer), reason: try c.decodeIfPresent(String.self, forKey: .reason),
            decidedAt: CatalogTime.date(microseconds: try c.decode(Int64.self, forKey: .decidedAt)))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(stage, forKey: .stage)
        try c.encode(categories, forKey: .categories)
        try c.encode(detections, forKey: .detections)
        try c.encode(sampled, forKey: .sampled)
        try c.encode(policyVersion, forKey: .policyVersion)
        try c.encode(modelVersions, forKey: .modelVersions)
        try c.encodeIfPresent(reviewer, forKey: .reviewer)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encode(CatalogTime.microseconds(decidedAt), forKey: .decidedAt)
    }
}

/// One category's score for one image and what the policy makes of it.
public struct CategoryScore: Sendable, Codable, Equatable {
    public var name: String
    public var score: Float
    public var verdict: ModerationDecision.Outcome
    /// The class that gave the score (`FACE_FEMALE`, `missile`), empty when all scored 0.
    public var evidence: String

    public init(name: String, score: Float, verdict: ModerationDecision.Outcome, evidence: String) {
        self.name = name
        self.score = score
        self.verdict = verdict
        self.evidence = evidence
    }
}
