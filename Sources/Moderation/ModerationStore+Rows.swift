import Catalog
import Foundation
import Jobs

/// Row values both backends write the same way.
struct AuditRow: Sendable {
    var event: String
    var sha256: String
    var reviewItem: Int64?
    var actor: String
    var outcome: String
    var policyVersion: String
    var modelVersions: String
    var scores: String
    var reason: String?

    init(event: String, decision: ModerationDecision, reviewItem: Int64?, actor: String) throws(ModerationError) {
        self.event = event
        self.sha256 = decision.sha256
        self.reviewItem = reviewItem
        self.actor = actor
        self.outcome = decision.outcome.rawValue
        self.policyVersion = decision.policyVersion
        self.modelVersions = try ModerationJSON.encode(decision.modelVersions)
        self.scores = try ModerationJSON.encode(decision.categories)
        self.reason = decision.reason
    }

    /// The same fact for the Jobs event feed (webhooks, SSE).
    var feedEvent: NewEvent {
        struct Body: Encodable {
            let sha256: String, outcome: String, actor: String, policy_version: String
            let review_item: Int64?, reason: String?
        }
        let body = Body(sha256: sha256, outcome: outcome, actor: actor, policy_version: policyVersion,
                        review_item: reviewItem, reason: reason)
        let data = (try? ModerationJSON.encode(body)) ?? "{}"
        return NewEvent(kind: event, subject: sha256, data: data)
    }

    static func actor(for stage: ModerationDecision.Stage) -> String {
        "model:\(stage.rawValue)"
    }
}

/// The SQL condition for an item's state as of a time (`?`/`$n` for the time come from callers).
enum ReviewStateSQL {
    /// Effective state: an expired claim is pending again.
    static func effective(_ stored: ReviewState, leaseUntil: Int64?, now: Int64) -> ReviewState {
        if stored == .claimed, let leaseUntil, leaseUntil < now { return .pending }
        return stored
    }
}
