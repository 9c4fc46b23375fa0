import Catalog
import Clocks
import Foundation
import GRDB
import Jobs

/// `ModerationStore` on the embedded catalog. Every write is the catalog's IMMEDIATE transaction,
/// which takes SQLite's write lock up front: two reviewers claiming at once are serialised, and
/// the second sees the first's claim.
public struct SQLiteModerationStore: ModerationStore {
    public let catalog: SQLiteCatalog

    public init(catalog: SQLiteCatalog) {
        self.catalog = catalog
    }

    static let itemColumns = """
        id, sha256, category, reason, decision, state, claimed_by, lease_until, reviewer, verdict_reason, \
        decided_at, created_at
        """

    public func decision(sha256: String, policyVersion: String, modelKey: String) async throws(ModerationError) -> ModerationDecision? {
        do {
            return try await catalog.read { db in
                if let text = try String.fetchOne(db, sql: "SELECT decision FROM moderation_overrides WHERE sha256 = ?", arguments: [sha256]) {
                    return try ModerationJSON.decode(ModerationDecision.self, text, table: "moderation_overrides")
                }
                let text = try String.fetchOne(
                    db, sql: "SELECT decision FROM moderation_decisions WHERE sha256 = ? AND policy_version = ? AND model_key = ?",
                    arguments: [sha256, policyVersion, modelKey])
                return try text.map { try ModerationJSON.decode(ModerationDecision.self, $0, table: "moderation_decisions") }
            }
        } catch {
            throw .store(error)
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
        do {
            return try await catalog.write { db -> ReviewItem? in
                try db.execute(
                    sql: """
                        INSERT INTO moderation_decisions (sha256, policy_version, model_key, outcome, stage, decision, decided_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (sha256, policy_version, model_key) DO UPDATE SET
                            outcome = excluded.outcome, stage = excluded.stage, decision = excluded.decision,
                            decided_at = excluded.decided_at
                        """,
                    arguments: [decision.sha256, decision.policyVersion, decision.modelKey, decision.outcome.rawValue,
                                decision.stage.rawValue, json, time])
                var events = [decided]
                var item: ReviewItem?
                let overridden = try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM moderation_overrides WHERE sha256 = ?", arguments: [decision.sha256]) ?? false
                if decision.needsReview && !overridden {
                    try db.execute(
                        sql: """
                            INSERT INTO review_items (sha256, category, reason, decision, policy_version, state, created_at)
                            VALUES (?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT DO NOTHING
                            """,
                        arguments: [decision.sha256, decision.primaryCategory,
                                    (decision.outcome == .review ? ReviewReason.flagged : .sampled).rawValue,
                                    json, decision.policyVersion, time])
                    if db.changesCount == 1 {
                        let id = db.lastInsertedRowID
                        item = try Self.item(id: id, now: time, in: db)
                        var row = requested
                        row.reviewItem = id
                        events.append(row)
                    }
                }
                try Self.audit(events, at: time, in: db)
                return item
            }
        } catch {
            throw .store(error)
        }
    }

    public func reviewItems(_ filter: ReviewFilter, now: Date) async throws(ModerationError) -> ReviewPage {
        let filter = try filter.validated()
        let time = CatalogTime.microseconds(now)
        var conditions = ["id > ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [filter.afterID]
        if let state = filter.state {
            let (sql, args) = Self.stateCondition(state, now: time)
            conditions.append(sql)
            arguments += args
        }
        if let category = filter.category {
            conditions.append("category = ?")
            arguments.append(category)
        }
        if let sha256 = filter.sha256 {
            conditions.append("sha256 = ?")
            arguments.append(sha256)
        }
        if let after = filter.createdAfter {
            conditions.append("created_at >= ?")
            arguments.append(CatalogTime.microseconds(after))
        }
        if let before = filter.createdBefore {
            conditions.append("created_at < ?")
            arguments.append(CatalogTime.microseconds(before))
        }
        arguments.append(filter.limit)
        let sql = "SELECT \(Self.itemColumns) FROM review_items WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?"
        let bound = StatementArguments(arguments)
        do {
            let items = try await catalog.read { db in
                try Row.fetchAll(db, sql: sql, arguments: bound).map { try Self.item($0, now: time) }
            }
            return ReviewPage(items: items, nextCursor: items.count == filter.limit ? items.last?.id : nil)
        } catch {
            throw .store(error)
        }
    }

    public func reviewItem(id: Int64, now: Date) async throws(ModerationError) -> ReviewItem? {
        let time = CatalogTime.microseconds(now)
        do {
            return try await catalog.read { db in try Self.item(id: id, now: time, in: db) }
        } catch {
            throw .store(error)
        }
    }

    public func reviewCount(state: ReviewState, category: String?, now: Date) async throws(ModerationError) -> Int {
        let (condition, args) = Self.stateCondition(state, now: CatalogTime.microseconds(now))
        var arguments: [(any DatabaseValueConvertible)?] = args
        var sql = "SELECT count(*) FROM review_items WHERE \(condition)"
        if let category {
            sql += " AND category = ?"
            arguments.append(category)
        }
        let bound = StatementArguments(arguments)
        let query = sql
        do {
            return try await catalog.read { db in try Int.fetchOne(db, sql: query, arguments: bound) ?? 0 }
        } catch {
            throw .store(error)
        }
    }

    public func claimNext(reviewer: String, category: String?, lease: Duration, now: Date) async throws(ModerationError) -> ReviewItem? {
        try HumanDecision.check(reviewer, "")
        let time = CatalogTime.microseconds(now)
        let until = time + lease.microseconds
        let (condition, args) = Self.stateCondition(.pending, now: time)
        var arguments: [(any DatabaseValueConvertible)?] = args
        var sql = "SELECT id FROM review_items WHERE \(condition)"
        if let category {
            sql += " AND category = ?"
            arguments.append(category)
        }
        sql += " ORDER BY id LIMIT 1"
        let bound = StatementArguments(arguments)
        let query = sql
        do {
            return try await catalog.write { db -> ReviewItem? in
                guard let id = try Int64.fetchOne(db, sql: query, arguments: bound) else { return nil }
                try db.execute(
                    sql: "UPDATE review_items SET state = 'claimed', claimed_by = ?, lease_until = ? WHERE id = ?",
                    arguments: [reviewer, until, id])
                return try Self.item(id: id, now: time, in: db)
            }
        } catch {
            throw .store(error)
        }
    }

    public func claim(id: Int64, reviewer: String, lease: Duration, now: Date) async throws(ModerationError) -> ReviewItem {
        try HumanDecision.check(reviewer, "")
        let time = CatalogTime.microseconds(now)
        let until = time + lease.microseconds
        let result: Result<ReviewItem, ModerationError>
        do {
            result = try await catalog.write { db -> Result<ReviewItem, ModerationError> in
                guard let item = try Self.item(id: id, now: time, in: db) else { return .failure(.itemNotFound(id)) }
                if let failure = item.claimRefusal(by: reviewer) { return .failure(failure) }
                try db.execute(
                    sql: "UPDATE review_items SET state = 'claimed', claimed_by = ?, lease_until = ? WHERE id = ?",
                    arguments: [reviewer, until, id])
                return .success(try Self.item(id: id, now: time, in: db)!)
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
        let result: Result<ModerationDecision, ModerationError>
        do {
            result = try await catalog.write { db -> Result<ModerationDecision, ModerationError> in
                guard let item = try Self.item(id: id, now: time, in: db) else { return .failure(.itemNotFound(id)) }
                if let failure = item.decisionRefusal(by: reviewer) { return .failure(failure) }
                let human = HumanDecision.make(item: item, reviewer: reviewer, verdict: verdict, reason: reason, now: now)
                let json = try ModerationJSON.encode(human)
                try db.execute(
                    sql: """
                        UPDATE review_items SET state = ?, reviewer = ?, verdict_reason = ?, decided_at = ?,
                            claimed_by = NULL, lease_until = NULL
                        WHERE id = ?
                        """,
                    arguments: [verdict == .approve ? "approved" : "rejected", reviewer, reason, time, id])
                try db.execute(
                    sql: """
                        INSERT INTO moderation_overrides (sha256, outcome, review_item, decision, decided_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (sha256) DO UPDATE SET outcome = excluded.outcome, review_item = excluded.review_item,
                            decision = excluded.decision, decided_at = excluded.decided_at
                        """,
                    arguments: [item.sha256, human.outcome.rawValue, id, json, time])
                let row = try AuditRow(event: ModerationEvent.reviewed, decision: human, reviewItem: id, actor: reviewer)
                try Self.audit([row], at: time, in: db)
                return .success(human)
            }
        } catch {
            throw .store(error)
        }
        return try result.get()
    }

    public func auditLog(sha256: String?, afterID: Int64, limit: Int) async throws(ModerationError) -> [AuditEntry] {
        guard (1...1000).contains(limit) else { throw .invalidArgument("limit must be from 1 to 1000, got \(limit)") }
        var sql = """
            SELECT id, event, sha256, review_item, actor, outcome, policy_version, model_versions, scores, reason, created_at
            FROM moderation_audit WHERE id > ?
            """
        var arguments: [(any DatabaseValueConvertible)?] = [afterID]
        if let sha256 {
            sql += " AND sha256 = ?"
            arguments.append(sha256)
        }
        sql += " ORDER BY id LIMIT ?"
        arguments.append(limit)
        let bound = StatementArguments(arguments)
        let query = sql
        do {
            return try await catalog.read { db in
                try Row.fetchAll(db, sql: query, arguments: bound).map { row in
                    AuditEntry(
                        id: row["id"], event: row["event"], sha256: row["sha256"], reviewItem: row["review_item"],
                        actor: row["actor"],
                        outcome: try Self.outcome(row["outcome"]),
                        policyVersion: row["policy_version"],
                        modelVersions: try ModerationJSON.decode([String: String].self, row["model_versions"], table: "moderation_audit"),
                        scores: try ModerationJSON.decode([CategoryScore].self, row["scores"], table: "moderation_audit"),
                        reason: row["reason"], createdAt: CatalogTime.date(microseconds: row["created_at"]))
                }
            }
        } catch {
            throw .store(error)
        }
    }

    // MARK: - Helpers shared by the statements above

    static func outcome(_ text: String) throws -> ModerationDecision.Outcome {
        guard let outcome = ModerationDecision.Outcome(rawValue: text) else {
            throw CatalogError.corruptRow(table: "moderation_audit", reason: "unknown outcome \(text)")
        }
        return outcome
    }

    static func stateCondition(_ state: ReviewState, now: Int64) -> (String, [(any DatabaseValueConvertible)?]) {
        switch state {
        case .pending: ("(state = 'pending' OR (state = 'claimed' AND lease_until < ?))", [now])
        case .claimed: ("(state = 'claimed' AND lease_until >= ?)", [now])
        case .approved, .rejected: ("state = ?", [state.rawValue])
        }
    }

    static func item(id: Int64, now: Int64, in db: Database) throws -> ReviewItem? {
        try Row.fetchOne(db, sql: "SELECT \(itemColumns) FROM review_items WHERE id = ?", arguments: [id]).map { try item($0, now: now) }
    }

    static func item(_ row: Row, now: Int64) throws -> ReviewItem {
        guard let stored = ReviewState(rawValue: row["state"]), let reason = ReviewReason(rawValue: row["reason"]) else {
            throw CatalogError.corruptRow(table: "review_items", reason: "unknown state or reason")
        }
        let lease: Int64? = row["lease_until"]
        let state = ReviewStateSQL.effective(stored, leaseUntil: lease, now: now)
        let decided: Int64? = row["decided_at"]
        return ReviewItem(
            id: row["id"], sha256: row["sha256"], category: row["category"], reason: reason,
            decision: try ModerationJSON.decode(ModerationDecision.self, row["decision"], table: "review_items"),
            state: state, claimedBy: state == .claimed ? row["claimed_by"] : nil,
            leaseUntil: state == .claimed ? lease.map(CatalogTime.date(microseconds:)) : nil,
            reviewer: row["reviewer"], verdictReason: row["verdict_reason"],
            decidedAt: decided.map(CatalogTime.date(microseconds:)),
            createdAt: CatalogTime.date(microseconds: row["created_at"]))
    }

    /// Audit rows and their events, in the caller's transaction.
    static func audit(_ rows: [AuditRow], at time: Int64, in db: Database) throws {
        for row in rows {
            try db.execute(
                sql: """
                    INSERT INTO moderation_audit (event, sha256, review_item, actor, outcome, policy_version, model_versions,
                        scores, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [row.event, row.sha256, row.reviewItem, row.actor, row.outcome, row.policyVersion,
                            row.modelVersions, row.scores, row.reason, time])
        }
        try SQLiteJobQueue.append(rows.map(\.feedEvent), in: db)
    }
}
