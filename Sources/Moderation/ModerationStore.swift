import Catalog
import Foundation

/// Moderation's tables on the catalog's database: cached decisions, human overrides, the review
/// queue and the audit log. `SQLiteModerationStore` and `PostgresModerationStore` behave alike;
/// get the right one for a catalog with `moderationStore(for:)`.
///
/// Every write is one transaction that also appends its audit rows and their `moderation.*`
/// events on the feed, so neither the log nor the feed can miss a decision that took effect.
public protocol ModerationStore: Sendable {
    /// The decision in force for `sha256`: a reviewer's override whatever the policy and models,
    /// else the cached model decision for exactly this policy and model set.
    func decision(sha256: String, policyVersion: String, modelKey: String) async throws(ModerationError) -> ModerationDecision?

    /// Caches a model decision (replacing the previous one for its key), audits it, and files a
    /// review item when it needs one, unless a reviewer already decided this image or it is in
    /// the queue already. Returns the item filed, if any.
    @discardableResult
    func record(_ decision: ModerationDecision, now: Date) async throws(ModerationError) -> ReviewItem?

    func reviewItems(_ filter: ReviewFilter, now: Date) async throws(ModerationError) -> ReviewPage

    func reviewItem(id: Int64, now: Date) async throws(ModerationError) -> ReviewItem?

    /// Counts items in `state` (as of `now`), optionally in one category: the page's queue count.
    func reviewCount(state: ReviewState, category: String?, now: Date) async throws(ModerationError) -> Int

    /// Claims the oldest available item (optionally of one category) for `lease`; nil when none
    /// is free. Two reviewers calling at once never get the same item.
    func claimNext(reviewer: String, category: String?, lease: Duration, now: Date) async throws(ModerationError) -> ReviewItem?

    /// Claims one item (or extends the caller's own claim).
    func claim(id: Int64, reviewer: String, lease: Duration, now: Date) async throws(ModerationError) -> ReviewItem

    /// Approves or rejects an item the reviewer holds a live claim on, makes that the decision for
    /// its content hash and audits it. Returns the human decision.
    func decide(id: Int64, reviewer: String, verdict: ReviewVerdict, reason: String, now: Date) async throws(ModerationError) -> ModerationDecision

    /// Audit rows with id > `afterID`, ascending, for one image or all.
    func auditLog(sha256: String?, afterID: Int64, limit: Int) async throws(ModerationError) -> [AuditEntry]
}

extension ModerationStore {
    @discardableResult
    public func record(_ decision: ModerationDecision) async throws(ModerationError) -> ReviewItem? {
        try await record(decision, now: Date())
    }

    public func reviewItems(_ filter: ReviewFilter) async throws(ModerationError) -> ReviewPage {
        try await reviewItems(filter, now: Date())
    }

    public func claimNext(reviewer: String, category: String? = nil, lease: Duration = .seconds(300)) async throws(ModerationError) -> ReviewItem? {
        try await claimNext(reviewer: reviewer, category: category, lease: lease, now: Date())
    }

    public func decide(id: Int64, reviewer: String, verdict: ReviewVerdict, reason: String) async throws(ModerationError) -> ModerationDecision {
        try await decide(id: id, reviewer: reviewer, verdict: verdict, reason: reason, now: Date())
    }
}

/// The store on `catalog`'s own database (same file or server, same transactions).
public func moderationStore(for catalog: any Catalog) throws(ModerationError) -> any ModerationStore {
    if let sqlite = catalog as? SQLiteCatalog { return SQLiteModerationStore(catalog: sqlite) }
    if let postgres = catalog as? PostgresCatalog { return PostgresModerationStore(catalog: postgres) }
    throw .invalidArgument("moderation supports the SQLite and PostgreSQL catalogs, not \(type(of: catalog))")
}

/// JSON as the stores write it: sorted keys, exact dates.
enum ModerationJSON {
    static func encode<T: Encodable>(_ value: T) throws(ModerationError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw .invalidArgument("cannot encode \(T.self): \(error)")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, table: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw CatalogError.corruptRow(table: table, reason: "\(error)")
        }
    }
}

/// What a human decision looks like, built the same way by both backends.
enum HumanDecision {
    static func make(item: ReviewItem, reviewer: String, verdict: ReviewVerdict, reason: String, now: Date) -> ModerationDecision {
        var decision = item.decision
        decision.outcome = verdict == .approve ? .allow : .block
        decision.stage = .human
        decision.sampled = false
        decision.reviewer = reviewer
        decision.reason = reason
        decision.decidedAt = CatalogTime.rounded(now)
        return decision
    }

    static func check(_ reviewer: String, _ reason: String) throws(ModerationError) {
        guard !reviewer.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidArgument("a reviewer must be named")
        }
        guard reason.count <= 2000 else { throw .invalidArgument("the reason is longer than 2000 characters") }
    }
}
