import Catalog
import Clocks
import Foundation
import Jobs
import Logging
import PostgresNIO

/// `ModerationStore` on PostgreSQL. Claims take the oldest free row with `FOR UPDATE SKIP LOCKED`,
/// so concurrent reviewers (and processes) each get a different item without waiting on each
/// other; decisions lock their item row (`FOR UPDATE`) and check the claim inside the same
/// transaction that writes the verdict, the override and the audit row.
public struct PostgresModerationStore: ModerationStore {
    public let catalog: PostgresCatalog
    /// The event feed (`GET /v1/events`, webhooks), appended to in each write's own transaction.
    let feed: PostgresJobQueue

    public init(catalog: PostgresCatalog) {
        self.catalog = catalog
        feed = PostgresJobQueue(catalog: catalog)
    }

    static let itemColumns = """
        id, sha256, category, reason, decision::text AS decision, state, claimed_by, lease_until, reviewer, \
        verdict_reason, decided_at, created_at
        """

    public func decision(sha256: String, policyVersion: String, modelKey: String) async throws(ModerationError) -> ModerationDecision? {
        let rows: [String]
        do {
            // The override, when there is one, sorts first.
            rows = try await catalog.fetch(
                """
                SELECT 0 AS rank, decision::text FROM moderation_overrides WHERE sha256 = \(sha256)
                UNION ALL
                SELECT 1 AS rank, decision::text FROM moderation_decisions
                WHERE sha256 = \(sha256) AND policy_version = \(policyVersion) AND model_key = \(modelKey)
                ORDER BY rank LIMIT 1
                """
            ) { try $0.decode((Int, String).self).1 }
        } catch {
            throw .store(error)
        }
        do {
            return try rows.first.map { try ModerationJSON.decode(ModerationDecision.self, $0, table: "moderation_decisions") }
        } catch {
            throw .store(error as? CatalogError ?? .database("\(error)"))
        }
    }

    @discardableResult
    public func record(_ decision: ModerationDecision, now: Date) async throws(ModerationError) -> ReviewItem? {
        guard decision.stage != .human else { throw .invalidArgument("human decisions are made with decide(id:…)") }
        let json = try ModerationJSON.encode(decision)
        let decided = try AuditRow(event: ModerationEvent.decided, decision: decision, reviewItem: nil,
                                   actor: AuditRow.actor(for: decision.stage))
        let requested = try AuditRow(event: ModerationEvent.reviewRequested, decision: decision, reviewItem: nil,
                                     actor: AuditRow.actor(for: decision.stage))
        let time = CatalogTime.microseconds(now)
        let logger = catalog.logger
        let reason = (decision.outcome == .review ? ReviewReason.flagged : .sampled).rawValue
        do {
            return try await catalog.transaction { connection -> ReviewItem? in
                _ = try await PostgresCatalog.fetch(
                    """
                    INSERT INTO moderation_decisions (sha256, policy_version, model_key, outcome, stage, decision, decided_at)
                    VALUES (\(decision.sha256), \(decision.policyVersion), \(decision.modelKey), \(decision.outcome.rawValue),
                            \(decision.stage.rawValue), \(json)::jsonb, \(time))
                    ON CONFLICT (sha256, policy_version, model_key) DO UPDATE SET
                        outcome = excluded.outcome, stage = excluded.stage, decision = excluded.decision,
                        decided_at = excluded.decided_at
                    """, on: connection, logger: logger) { _ in () }
                var events = [decided]
                var item: ReviewItem?
                if decision.needsReview {
                    let overrides = try await PostgresCatalog.fetch(
                        "SELECT 1 FROM moderation_overrides WHERE sha256 = \(decision.sha256)",
                        on: connection, logger: logger) { _ in true }
                    if overrides.isEmpty {
                        item = try await PostgresCatalog.fetch(
                            """
                            INSERT INTO review_items (sha256, category, reason, decision, policy_version, state, created_at)
                            VALUES (\(decision.sha256), \(decision.primaryCategory), \(reason), \(json)::jsonb,
                                    \(decision.policyVersion), 'pending', \(time))
                            ON CONFLICT DO NOTHING
                            RETURNING \(unescaped: Self.itemColumns)
                            """, on: connection, logger: logger) { try Self.item($0, now: time) }.first
                        if let item {
                            var row = requested
                            row.reviewItem = item.id
                            events.append(row)
                        }
                    }
                }
                try await audit(events, at: time, on: connection, logger: logger)
                return item
            }
        } catch {
            throw .store(error)
        }
    }

    public func reviewItems(_ filter: ReviewFilter, now: Date) async throws(ModerationError) -> ReviewPage {
        let filter = try filter.validated()
        let time = CatalogTime.microseconds(now)
        let after = filter.createdAfter.map(CatalogTime.microseconds)
        let before = filter.createdBefore.map(CatalogTime.microseconds)
        let items: [ReviewItem]
        do {
            let query: PostgresQuery = """
                SELECT \(unescaped: Self.itemColumns) FROM review_items
                WHERE id > \(filter.afterID)
                  AND \(unescaped: Self.stateCondition)
                  AND (\(filter.category)::text IS NULL OR category = \(filter.category))
                  AND (\(filter.sha256)::text IS NULL OR sha256 = \(filter.sha256))
                  AND (\(after)::bigint IS NULL OR created_at >= \(after))
                  AND (\(before)::bigint IS NULL OR created_at < \(before))
                ORDER BY id LIMIT \(filter.limit)
                """
            items = try await catalog.fetch(query.bindingState(filter.state?.rawValue, now: time)) { try Self.item($0, now: time) }
        } catch {
            throw .store(error)
        }
        return ReviewPage(items: items, nextCursor: items.count == filter.limit ? items.last?.id : nil)
    }

    public func reviewItem(id: Int64, now: Date) async throws(ModerationError) -> ReviewItem? {
        let time = CatalogTime.microseconds(now)
        do {
            return try await catalog.fetch("SELECT \(unescaped: Self.itemColumns) FROM review_items WHERE id = \(id)") {
                try Self.item($0, now: time)
            }.first
        } catch {
            throw .store(error)
        }
    }

    public func reviewCount(state: ReviewState, category: String?, now: Date) async throws(ModerationError) -> Int {
        let time = CatalogTime.microseconds(now)
        do {
            let query: PostgresQuery = """
                SELECT count(*) FROM review_items
                WHERE \(unescaped: Self.stateCondition) AND (\(category)::text IS NULL OR category = \(category))
                """
            return try await catalog.fetch(query.bindingState(state.rawValue, now: time)) { try $0.decode(Int.self) }.first ?? 0
        } catch {
            throw .store(error)
        }
    }

    public func claimNext(reviewer: String, category: String?, lease: Duration, now: Date) async throws(ModerationError) -> ReviewItem? {
        try HumanDecision.check(reviewer, "")
        let time = CatalogTime.microseconds(now)
        let until = time + lease.microseconds
        do {
            let query: PostgresQuery = """
                UPDATE review_items SET state = 'claimed', claimed_by = \(reviewer), lease_until = \(until)
                WHERE id = (
                    SELECT id FROM review_items
                    WHERE \(unescaped: Self.stateCondition) AND (\(category)::text IS NULL OR category = \(category))
                    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING \(unescaped: Self.itemColumns)
                """
            return try await catalog.fetch(query.bindingState(ReviewState.pending.rawValue, now: time)) {
                try Self.item($0, now: time)
            }.first
        } catch {
            throw .store(error)
        }
    }

    public func claim(id: Int64, reviewer: String, lease: Duration, now: Date) async throws(ModerationError) -> ReviewItem {
        try HumanDecision.check(reviewer, "")
        let time = CatalogTime.microseconds(now)
        let until = time + lease.microseconds
        let logger = catalog.logger
        let result: Result<ReviewItem, ModerationError>
        do {
            result = try await catalog.transaction { connection -> Result<ReviewItem, ModerationError> in
                guard let item = try await Self.lockedItem(id: id, now: time, on: connection, logger: logger) else {
                    return .failure(.itemNotFound(id))
                }
                if let failure = item.claimRefusal(by: reviewer) { return .failure(failure) }
                let updated = try await PostgresCatalog.fetch(
                    """
                    UPDATE review_items SET state = 'claimed', claimed_by = \(reviewer), lease_until = \(until)
                    WHERE id = \(id) RETURNING \(unescaped: Self.itemColumns)
                    """, on: connection, logger: logger) { try Self.item($0, now: time) }
                return .success(updated[0])
            }
        } catch {
            throw .store(error)
        }
        return try result.get()
    }

    public func decide(
        id: Int64, reviewer: String, verdict: ReviewVerdict, reason: String, now: Date
    ) async throws(ModerationError) -> ModerationDecision {
        try HumanDecision.check(reviewer, reason)
        let time = CatalogTime.microseconds(now)
        let logger = catalog.logger
        let result: Result<ModerationDecision, ModerationError>
        do {
            result = try await catalog.transaction { connection -> Result<ModerationDecision, ModerationError> in
                guard let item = try await Self.lockedItem(id: id, now: time, on: connection, logger: logger) else {
                    return .failure(.itemNotFound(id))
                }
                if let failure = item.decisionRefusal(by: reviewer) { return .failure(failure) }
                let human = HumanDecision.make(item: item, reviewer: reviewer, verdict: verdict, reason: reason, now: now)
                let json = try ModerationJSON.encode(human)
                let state = verdict == .approve ? "approved" : "rejected"
                _ = try await PostgresCatalog.fetch(
                    """
                    UPDATE review_items SET state = \(state), reviewer = \(reviewer), verdict_reason = \(reason),
                        decided_at = \(time), claimed_by = NULL, lease_until = NULL
                    WHERE id = \(id)
                    """, on: connection, logger: logger) { _ in () }
                _ = try await PostgresCatalog.fetch(
                    """
                    INSERT INTO moderation_overrides (sha256, outcome, review_item, decision, decided_at)
                    VALUES (\(item.sha256), \(human.outcome.rawValue), \(id), \(json)::jsonb, \(time))
                    ON CONFLICT (sha256) DO UPDATE SET outcome = excluded.outcome, review_item = excluded.review_item,
                        decision = excluded.decision, decided_at = excluded.decided_at
                    """, on: connection, logger: logger) { _ in () }
                let row = try AuditRow(event: ModerationEvent.reviewed, decision: human, reviewItem: id, actor: reviewer)
                try await audit([row], at: time, on: connection, logger: logger)
                return .success(human)
            }
        } catch {
            throw .store(error)
        }
        return try result.get()
    }

    public func auditLog(sha256: String?, afterID: Int64, limit: Int) async throws(ModerationError) -> [AuditEntry] {
        guard (1...1000).contains(limit) else { throw .invalidArgument("limit must be from 1 to 1000, got \(limit)") }
        do {
            return try await catalog.fetch(
                """
                SELECT id, event, sha256, review_item, actor, outcome, policy_version, model_versions::text,
                       scores::text, reason, created_at
                FROM moderation_audit
                WHERE id > \(afterID) AND (\(sha256)::text IS NULL OR sha256 = \(sha256))
                ORDER BY id LIMIT \(limit)
                """
            ) { row in
                let (id, event, sha, item, actor, outcome, policy, models, scores, reason, created) = try row.decode(
                    (Int64, String, String, Int64?, String, String, String, String, String, String?, Int64).self)
                guard let outcomeValue = ModerationDecision.Outcome(rawValue: outcome) else {
                    throw CatalogError.corruptRow(table: "moderation_audit", reason: "unknown outcome \(outcome)")
                }
                return AuditEntry(
                    id: id, event: event, sha256: sha, reviewItem: item, actor: actor, outcome: outcomeValue,
                    policyVersion: policy,
                    modelVersions: try ModerationJSON.decode([String: String].self, models, table: "moderation_audit"),
                    scores: try ModerationJSON.decode([CategoryScore].self, scores, table: "moderation_audit"),
                    reason: reason, createdAt: CatalogTime.date(microseconds: created))
            }
        } catch {
            throw .store(error)
        }
    }

    // MARK: - Helpers

    /// The effective-state filter; its `$state` and `$now` placeholders are bound by `bindingState`.
    static let stateCondition = """
        (\u{1}STATE::text IS NULL
         OR (\u{1}STATE = 'pending' AND (state = 'pending' OR (state = 'claimed' AND lease_until < \u{1}NOW)))
         OR (\u{1}STATE = 'claimed' AND state = 'claimed' AND lease_until >= \u{1}NOW)
         OR (\u{1}STATE IN ('approved', 'rejected') AND state = \u{1}STATE))
        """

    static func lockedItem(id: Int64, now: Int64, on connection: PostgresConnection, logger: Logger) async throws -> ReviewItem? {
        try await PostgresCatalog.fetch(
            "SELECT \(unescaped: itemColumns) FROM review_items WHERE id = \(id) FOR UPDATE",
            on: connection, logger: logger) { try item($0, now: now) }.first
    }

    static func item(_ row: PostgresRow, now: Int64) throws -> ReviewItem {
        let (id, sha256, category, reasonText, decision, stateText, claimedBy, lease, reviewer, verdictReason, decided, created) =
            try row.decode((Int64, String, String, String, String, String, String?, Int64?, String?, String?, Int64?, Int64).self)
        guard let stored = ReviewState(rawValue: stateText), let reason = ReviewReason(rawValue: reasonText) else {
            throw CatalogError.corruptRow(table: "review_items", reason: "unknown state \(stateText) or reason \(reasonText)")
        }
        let state = ReviewStateSQL.effective(stored, leaseUntil: lease, now: now)
        return ReviewItem(
            id: id, sha256: sha256, category: category, reason: reason,
            decision: try ModerationJSON.decode(ModerationDecision.self, decision, table: "review_items"),
            state: state, claimedBy: state == .claimed ? claimedBy : nil,
            leaseUntil: state == .claimed ? lease.map(CatalogTime.date(microseconds:)) : nil,
            reviewer: reviewer, verdictReason: verdictReason, decidedAt: decided.map(CatalogTime.date(microseconds:)),
            createdAt: CatalogTime.date(microseconds: created))
    }

    /// Audit rows in the caller's transaction, and their events on the feed in the same one, as
    /// the SQLite store does: a decision that took effect is always both logged and announced.
    func audit(_ rows: [AuditRow], at time: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        for row in rows {
            _ = try await PostgresCatalog.fetch(
                """
                INSERT INTO moderation_audit (event, sha256, review_item, actor, outcome, policy_version, model_versions,
                    scores, reason, created_at)
                VALUES (\(row.event), \(row.sha256), \(row.reviewItem), \(row.actor), \(row.outcome), \(row.policyVersion),
                        \(row.modelVersions)::jsonb, \(row.scores)::jsonb, \(row.reason), \(time))
                """, on: connection, logger: logger) { _ in () }
        }
        try await feed.append(rows.map(\.feedEvent), on: connection)
    }
}

extension PostgresQuery {
    /// Replaces the state filter's placeholders with two more binds (the state, nil for any, and
    /// the time), so one static condition serves every filter.
    func bindingState(_ state: String?, now: Int64) -> PostgresQuery {
        var binds = self.binds
        let stateIndex = binds.count + 1
        if let state { binds.append(state) } else { binds.appendNull() }
        binds.append(now)
        let sql = self.sql
            .replacingOccurrences(of: "\u{1}STATE", with: "$\(stateIndex)")
            .replacingOccurrences(of: "\u{1}NOW", with: "$\(stateIndex + 1)")
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}
