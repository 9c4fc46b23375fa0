import Catalog
import Foundation
import Jobs
import Moderation
import Testing
import TestSupport

/// The store's contract, run against SQLite and PostgreSQL alike.
@Suite struct ReviewStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: TestBackend.allCases)
    func decisionsAreCachedByHashPolicyAndModels(_ backend: TestBackend) async throws {
        try await ModerationFixtures.withStore(backend) { store in
            let blocked = ModerationFixtures.decision(ModerationFixtures.hash(1), outcome: .block, stage: .light)
            #expect(try await store.record(blocked, now: t0) == nil)
            #expect(try await store.decision(sha256: blocked.sha256, policyVersion: "7+abc", modelKey: blocked.modelKey) == blocked)
            // Another policy or model set does not see it.
            #expect(try await store.decision(sha256: blocked.sha256, policyVersion: "8+def", modelKey: blocked.modelKey) == nil)
            #expect(try await store.decision(sha256: blocked.sha256, policyVersion: "7+abc", modelKey: "other=1") == nil)
            // A later stage replaces the cached decision.
            var heavy = blocked
            heavy.stage = .heavy
            heavy.outcome = .allow
            try await store.record(heavy, now: t0)
            #expect(try await store.decision(sha256: blocked.sha256, policyVersion: "7+abc", modelKey: blocked.modelKey) == heavy)
        }
    }

    /// On PostgreSQL they used not to: only the audit log had them, although the API promises
    /// `moderation.*` events on the feed and its webhooks.
    @Test("decisions, review requests and verdicts reach the event feed in their own transaction", arguments: TestBackend.allCases)
    func eventsReachTheFeed(_ backend: TestBackend) async throws {
        try await ModerationFixtures.withStore(backend) { store, catalog in
            let hash = ModerationFixtures.hash(1)
            let item = try #require(try await store.record(ModerationFixtures.decision(hash, outcome: .review), now: t0))
            _ = try await store.claimNext(reviewer: "ann", category: nil, lease: .seconds(300), now: t0)
            _ = try await store.decide(id: item.id, reviewer: "ann", verdict: .approve, reason: "a toy", now: t0)
            let feed = try makeJobQueue(catalog: catalog)
            let events = try await feed.events(after: 0, limit: 100)
            #expect(events.map(\.kind) == [ModerationEvent.decided, ModerationEvent.reviewRequested, ModerationEvent.reviewed],
                    "\(events.map(\.kind))")
            #expect(events.allSatisfy { $0.subject == hash })
        }
    }

    @Test(arguments: TestBackend.allCases)
    func queueListsWithFiltersAndKeysetPages(_ backend: TestBackend) async throws {
        try await ModerationFixtures.withStore(backend) { store in
            for n in 1...7 {
                let category = n % 2 == 0 ? "nudity" : "weapons"
                let item = try await store.record(
                    ModerationFixtures.decision(ModerationFixtures.hash(n), outcome: .review, category: category),
                    now: t0.addingTimeInterval(Double(n) * 60))
                #expect(item?.category == category && item?.state == .pending)
            }
            // Not queued: allowed unsampled, blocked, and the same image again while it is open.
            #expect(try await store.record(ModerationFixtures.decision(ModerationFixtures.hash(20), outcome: .allow), now: t0) == nil)
            #expect(try await store.record(ModerationFixtures.decision(ModerationFixtures.hash(21), outcome: .block), now: t0) == nil)
            #expect(try await store.record(ModerationFixtures.decision(ModerationFixtures.hash(1), outcome: .review), now: t0) == nil)
            // Sampled allows are queued.
            let sampled = try await store.record(
                ModerationFixtures.decision(ModerationFixtures.hash(22), outcome: .allow, sampled: true), now: t0.addingTimeInterval(3600))
            #expect(sampled?.reason == .sampled)

            let now = t0.addingTimeInterval(7200)
            var seen: [Int64] = []
            var cursor: Int64 = 0
            while true {
                let page = try await store.reviewItems(ReviewFilter(afterID: cursor, limit: 3), now: now)
                seen += page.items.map(\.id)
                guard let next = page.nextCursor else { break }
                cursor = next
            }
            #expect(seen.count == 8 && seen == seen.sorted())
            let weapons = try await store.reviewItems(ReviewFilter(category: "weapons"), now: now)
            #expect(weapons.items.count == 5 && weapons.items.allSatisfy { $0.category == "weapons" })
            // Age: created in the first 3.5 minutes, and older than that.
            let young = try await store.reviewItems(ReviewFilter(createdBefore: t0.addingTimeInterval(210)), now: now)
            #expect(young.items.map(\.sha256) == [1, 2, 3].map(ModerationFixtures.hash))
            let old = try await store.reviewItems(ReviewFilter(createdAfter: t0.addingTimeInterval(210)), now: now)
            #expect(old.items.count == 5)
            #expect(try await store.reviewCount(state: .pending, category: "nudity", now: now) == 3)
            let one = try await store.reviewItems(ReviewFilter(state: nil, sha256: ModerationFixtures.hash(3)), now: now)
            #expect(one.items.map(\.sha256) == [ModerationFixtures.hash(3)] && one.nextCursor == nil)
            // Bad arguments are errors.
            await #expect(throws: ModerationError.self) { try await store.reviewItems(ReviewFilter(limit: 0), now: now) }
            await #expect(throws: ModerationError.self) { try await store.reviewItems(ReviewFilter(afterID: -1), now: now) }
        }
    }

    @Test(arguments: TestBackend.allCases)
    func twoReviewersNeverGetTheSameItem(_ backend: TestBackend) async throws {
        let t0 = self.t0
        try await ModerationFixtures.withStore(backend) { store in
            for n in 1...20 {
                try await store.record(ModerationFixtures.decision(ModerationFixtures.hash(n), outcome: .review), now: t0)
            }
            // Two reviewers race to drain the queue.
            let claims = try await withThrowingTaskGroup(of: (String, [Int64]).self) { group in
                for reviewer in ["ada", "bob"] {
                    group.addTask {
                        var mine: [Int64] = []
                        while let item = try await store.claimNext(reviewer: reviewer, category: nil, lease: .seconds(300), now: t0) {
                            #expect(item.claimedBy == reviewer && item.state == .claimed)
                            mine.append(item.id)
                        }
                        return (reviewer, mine)
                    }
                }
                return try await group.reduce(into: [String: [Int64]]()) { $0[$1.0] = $1.1 }
            }
            let all = claims.values.flatMap { $0 }
            #expect(all.count == 20 && Set(all).count == 20, "claims overlapped: \(claims)")
            let owner = claims["ada", default: []].isEmpty ? "bob" : "ada"
            let someone = try #require(claims[owner]?.first)
            let other = owner == "ada" ? "bob" : "ada"

            // The other reviewer can neither claim nor decide it while the lease lasts.
            await #expect(throws: ModerationError.self) {
                _ = try await store.claim(id: someone, reviewer: other, lease: .seconds(300), now: t0.addingTimeInterval(10))
            }
            await #expect(throws: ModerationError.self) {
                _ = try await store.decide(id: someone, reviewer: other, verdict: .reject, reason: "x", now: t0.addingTimeInterval(10))
            }
            #expect(try await store.reviewCount(state: .claimed, category: nil, now: t0.addingTimeInterval(10)) == 20)
            // After the lease runs out the item is pending again and the first claimer lost it.
            let later = t0.addingTimeInterval(301)
            #expect(try await store.reviewItem(id: someone, now: later)?.state == .pending)
            await #expect(throws: ModerationError.self) {
                _ = try await store.decide(id: someone, reviewer: owner, verdict: .approve, reason: "late", now: later)
            }
            let taken = try await store.claim(id: someone, reviewer: other, lease: .seconds(60), now: later)
            #expect(taken.claimedBy == other)
            _ = try await store.decide(id: someone, reviewer: other, verdict: .approve, reason: "fine", now: later)
            // Decided items cannot be claimed or decided again; unknown ids are errors.
            await #expect(throws: ModerationError.self) {
                _ = try await store.claim(id: someone, reviewer: owner, lease: .seconds(60), now: later)
            }
            await #expect(throws: ModerationError.self) {
                _ = try await store.decide(id: someone, reviewer: other, verdict: .reject, reason: "again", now: later)
            }
            await #expect(throws: ModerationError.self) {
                _ = try await store.claim(id: 999_999, reviewer: owner, lease: .seconds(60), now: later)
            }
            await #expect(throws: ModerationError.self) {
                _ = try await store.claimNext(reviewer: " ", category: nil, lease: .seconds(60), now: later)
            }
        }
    }

    @Test(arguments: TestBackend.allCases)
    func reviewOverridesTheModelsForThatImage(_ backend: TestBackend) async throws {
        try await ModerationFixtures.withStore(backend) { store in
            let sha = ModerationFixtures.hash(5)
            let model = ModerationFixtures.decision(sha, outcome: .review)
            let item = try #require(try await store.record(model, now: t0))
            _ = try await store.claim(id: item.id, reviewer: "ada", lease: .seconds(60), now: t0)
            let human = try await store.decide(id: item.id, reviewer: "ada", verdict: .reject, reason: "weapon", now: t0)
            #expect(human.outcome == .block && human.stage == .human && human.reason == "weapon")
            #expect(human.categories == model.categories && human.policyVersion == model.policyVersion)
            // Any policy or model set now gets the human decision.
            #expect(try await store.decision(sha256: sha, policyVersion: "9+new", modelKey: "x=1") == human)
            // A later model run does not reopen review for it.
            #expect(try await store.record(ModerationFixtures.decision(sha, outcome: .review), now: t0.addingTimeInterval(5)) == nil)
            #expect(try await store.decision(sha256: sha, policyVersion: "7+abc", modelKey: model.modelKey) == human)
            let decided = try await store.reviewItem(id: item.id, now: t0)
            #expect(decided?.state == .rejected && decided?.reviewer == "ada" && decided?.verdictReason == "weapon")
        }
    }

    @Test(arguments: TestBackend.allCases)
    func everyDecisionIsAudited(_ backend: TestBackend) async throws {
        try await ModerationFixtures.withStore(backend) { store in
            let sha = ModerationFixtures.hash(9)
            try await store.record(ModerationFixtures.decision(sha, outcome: .uncertain, stage: .light), now: t0)
            let item = try #require(try await store.record(ModerationFixtures.decision(sha, outcome: .review), now: t0))
            _ = try await store.claim(id: item.id, reviewer: "ada", lease: .seconds(60), now: t0)
            // A refused decision leaves no trace.
            await #expect(throws: ModerationError.self) {
                _ = try await store.decide(id: item.id, reviewer: "bob", verdict: .reject, reason: "no", now: t0)
            }
            _ = try await store.decide(id: item.id, reviewer: "ada", verdict: .approve, reason: "fine", now: t0.addingTimeInterval(1))
            try await store.record(ModerationFixtures.decision(ModerationFixtures.hash(10), outcome: .allow), now: t0)

            let log = try await store.auditLog(sha256: sha, afterID: 0, limit: 100)
            #expect(log.map(\.event) == [ModerationEvent.decided, ModerationEvent.decided, ModerationEvent.reviewRequested, ModerationEvent.reviewed])
            #expect(log.map(\.actor) == ["model:light", "model:heavy", "model:heavy", "ada"])
            #expect(log.map(\.outcome) == [.uncertain, .review, .review, .allow])
            #expect(log.allSatisfy { $0.policyVersion == "7+abc" && $0.modelVersions["nudenet-320n"] == "1" && $0.scores.first?.name == "weapons" })
            #expect(log[2].reviewItem == item.id && log[3].reviewItem == item.id)
            #expect(log[3].reason == "fine" && log[3].createdAt == t0.addingTimeInterval(1))
            #expect(log.map(\.id) == log.map(\.id).sorted())
            let everything = try await store.auditLog(sha256: nil, afterID: 0, limit: 100)
            #expect(everything.count == 5)
            let rest = try await store.auditLog(sha256: nil, afterID: everything[1].id, limit: 100)
            #expect(rest.map(\.id) == Array(everything.dropFirst(2).map(\.id)))
        }
    }
}
