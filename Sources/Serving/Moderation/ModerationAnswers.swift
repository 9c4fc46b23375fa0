import Foundation
import Moderation

/// A moderation decision as the API shows it (snake_case keys, ISO 8601 times).
///
/// `outcome` is `allow`, `review`, `block`, or `uncertain` while the heavy stage has yet to
/// decide (`heavy_job` names its job). `review_item` is the queue item filed for this image, if any.
struct DecisionAnswer: Encodable, Sendable {
    var sha256: String
    var outcome: String
    var stage: String
    var categories: [CategoryScore]
    var detections: [Detection]
    var sampled: Bool
    var policyVersion: String
    var modelVersions: [String: String]
    var reviewer: String?
    var reason: String?
    var decidedAt: Date
    var reviewItem: Int64?
    var heavyJob: Int64?

    init(_ decision: ModerationDecision, reviewItem: Int64? = nil, heavyJob: Int64? = nil) {
        sha256 = decision.sha256
        outcome = decision.outcome.rawValue
        stage = decision.stage.rawValue
        categories = decision.categories
        detections = decision.detections
        sampled = decision.sampled
        policyVersion = decision.policyVersion
        modelVersions = decision.modelVersions
        reviewer = decision.reviewer
        reason = decision.reason
        decidedAt = decision.decidedAt
        self.reviewItem = reviewItem
        self.heavyJob = heavyJob
    }
}

/// A review queue item as the API shows it.
struct ReviewItemAnswer: Encodable, Sendable {
    var id: Int64
    var sha256: String
    var category: String
    var reason: String
    var state: String
    var claimedBy: String?
    var leaseUntil: Date?
    var reviewer: String?
    var verdictReason: String?
    var decidedAt: Date?
    var createdAt: Date
    /// The models' decision that filed it: scores and boxes for the reviewer.
    var decision: DecisionAnswer
    /// Where the page fetches the pixels.
    var imageURL: String

    init(_ item: ReviewItem) {
        id = item.id
        sha256 = item.sha256
        category = item.category
        reason = item.reason.rawValue
        state = item.state.rawValue
        claimedBy = item.claimedBy
        leaseUntil = item.leaseUntil
        reviewer = item.reviewer
        verdictReason = item.verdictReason
        decidedAt = item.decidedAt
        createdAt = item.createdAt
        decision = DecisionAnswer(item.decision)
        imageURL = "/v1/review/\(item.id)/image"
    }
}

struct AuditAnswer: Encodable, Sendable {
    struct Entry: Encodable, Sendable {
        var id: Int64
        var event: String
        var sha256: String
        var reviewItem: Int64?
        var actor: String
        var outcome: String
        var policyVersion: String
        var modelVersions: [String: String]
        var scores: [CategoryScore]
        var reason: String?
        var createdAt: Date
    }
    var entries: [Entry]
    /// The cursor for the next page (`after`); equal to the request's when nothing is newer.
    var next: Int64
}
