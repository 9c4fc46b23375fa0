import Foundation

public enum ReviewState: String, Sendable, Codable, CaseIterable {
    /// Waiting for a reviewer (also what a claim whose lease ran out reverts to).
    case pending
    /// A reviewer holds it until its lease ends.
    case claimed
    /// A reviewer allowed the image.
    case approved
    /// A reviewer blocked the image.
    case rejected
}

/// Why an image is in the queue.
public enum ReviewReason: String, Sendable, Codable {
    /// The heavy stage scored a category at or above its review threshold.
    case flagged
    /// Allowed, but picked for quality control by the policy's sample rate.
    case sampled
}

/// A reviewer's verdict on a review item.
public enum ReviewVerdict: String, Sendable, Codable {
    /// The image is fine: it is allowed from now on.
    case approve
    /// The image breaks the policy: it is blocked from now on.
    case reject
}

/// One image waiting for (or having had) a human decision.
public struct ReviewItem: Sendable, Codable, Equatable {
    public var id: Int64
    public var sha256: String
    /// The category it is filed under (`ModerationDecision.primaryCategory`).
    public var category: String
    public var reason: ReviewReason
    /// The models' decision that sent it here: every category's score and the detector's boxes.
    public var decision: ModerationDecision
    /// As of the read: a claim whose lease has run out reads as `.pending`.
    public var state: ReviewState
    public var claimedBy: String?
    public var leaseUntil: Date?
    public var reviewer: String?
    public var verdictReason: String?
    public var decidedAt: Date?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, sha256, category, reason, decision, state, reviewer
        case claimedBy = "claimed_by"
        case leaseUntil = "lease_until"
        case verdictReason = "verdict_reason"
        case decidedAt = "decided_at"
        case createdAt = "created_at"
    }
}

extension ReviewItem {
    /// Why `reviewer` may not claim this item, or nil when they may (a reviewer may renew their
    /// own claim). Both stores check this inside the transaction that would claim.
    func claimRefusal(by reviewer: String) -> ModerationError? {
        switch state {
        case .approved, .rejected: return .alreadyDecided(item: id, state: state)
        case .claimed where claimedBy != reviewer:
            return .claimedByOther(item: id, reviewer: claimedBy ?? "?", until: leaseUntil ?? Date())
        default: return nil
        }
    }

    /// Why `reviewer` may not decide this item, or nil when they hold its live claim.
    func decisionRefusal(by reviewer: String) -> ModerationError? {
        switch state {
        case .approved, .rejected: return .alreadyDecided(item: id, state: state)
        case .claimed where claimedBy == reviewer: return nil
        case .claimed: return .claimedByOther(item: id, reviewer: claimedBy ?? "?", until: leaseUntil ?? Date())
        case .pending: return .notClaimed(item: id, reviewer: reviewer)
        }
    }
}

/// Which review items to list: filters plus a keyset cursor.
public struct ReviewFilter: Sendable, Equatable {
    /// nil lists every state.
    public var state: ReviewState?
    public var category: String?
    /// One image's items (at most one is open at a time; decided ones stay listed).
    public var sha256: String?
    /// Items created at or after this time (younger than an age).
    public var createdAfter: Date?
    /// Items created before this time (older than an age).
    public var createdBefore: Date?
    /// Only ids greater than this: pass the previous page's `nextCursor`.
    public var afterID: Int64
    /// 1…500.
    public var limit: Int

    public init(
        state: ReviewState? = .pending, category: String? = nil, sha256: String? = nil, createdAfter: Date? = nil,
        createdBefore: Date? = nil, afterID: Int64 = 0, limit: Int = 50
    ) {
        self.state = state
        self.category = category
        self.sha256 = sha256
        self.createdAfter = createdAfter
        self.createdBefore = createdBefore
        self.afterID = afterID
        self.limit = limit
    }

    func validated() throws(ModerationError) -> ReviewFilter {
        guard (1...500).contains(limit) else { throw .invalidArgument("limit must be from 1 to 500, got \(limit)") }
        guard afterID >= 0 else { throw .invalidArgument("the cursor must not be negative, got \(afterID)") }
        return self
    }
}

/// One page of review items in id (queue) order, oldest first.
public struct ReviewPage: Sendable, Equatable {
    public var items: [ReviewItem]
    /// The cursor for the next page; nil when this page is the last.
    public var nextCursor: Int64?
}

/// One line of the audit log: a decision by a model stage or a person.
public struct AuditEntry: Sendable, Codable, Equatable {
    public var id: Int64
    /// `moderation.decided`, `moderation.review_requested` or `moderation.reviewed`.
    public var event: String
    public var sha256: String
    public var reviewItem: Int64?
    /// `model:light`, `model:heavy`, or the reviewer.
    public var actor: String
    public var outcome: ModerationDecision.Outcome
    public var policyVersion: String
    public var modelVersions: [String: String]
    public var scores: [CategoryScore]
    public var reason: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, event, sha256, actor, outcome, scores, reason
        case reviewItem = "review_item"
        case policyVersion = "policy_version"
        case modelVersions = "model_versions"
        case createdAt = "created_at"
    }
}

/// The event names moderation emits (and the audit log's `event` column).
public enum ModerationEvent {
    public static let decided = "moderation.decided"
    public static let reviewRequested = "moderation.review_requested"
    public static let reviewed = "moderation.reviewed"
}
