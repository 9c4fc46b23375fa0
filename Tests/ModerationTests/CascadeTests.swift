import Classification
import Foundation
import Moderation
import Testing
import TestSupport

/// The cascade end to end: real photos, real models (EfficientNet-Lite0 online, NudeNet, Lite2),
/// a real store. The policy flags ImageNet classes the photos really contain.
@Suite(.serialized) struct CascadeTests {
    struct Online {
        let sha256: String
        let bytes: [UInt8]
        let decision: ModerationDecision
    }

    /// What the online path does: classify (keeping the decoded image), then moderate.
    func online(_ file: String, _ cascade: ModerationCascade, _ store: any ModerationStore) async throws -> Online {
        let bytes = try [UInt8](Data(contentsOf: TestPaths.sharedImage(file)))
        let classifier = try Classifiers.named("efficientnet-lite0")
        let prepared = try classifier.prepare(bytes, keepImage: true)
        let prediction = try classifier.classify([prepared], top: 5)[0]
        let image = try #require(prepared.image)
        let decision = try await cascade.moderateOnline(sha256: prepared.sha256, image: image, labels: prediction.labels, store: store)
        return Online(sha256: prepared.sha256, bytes: bytes, decision: decision)
    }

    @Test func photosFlowThroughBothStagesToReviewAndBack() async throws {
        let cascade = try ModerationFixtures.cascade()
        try await ModerationFixtures.withStore(.sqlite) { store in
            // A castle: nothing the policy cares about, decided online.
            let castle = try await online("castle-maintenon.jpg", cascade, store)
            #expect(castle.decision.outcome == .allow && castle.decision.stage == .light)
            #expect(castle.decision.policyVersion == cascade.policy.id)
            #expect(Set(castle.decision.modelVersions.keys) == ["nudenet-320n", "efficientnet-lite0", "efficientnet-lite2"])

            // The rocket: "missile"/"space shuttle" is above escalate_at but far below block_at.
            let rocket = try await online("rocket.jpg", cascade, store)
            #expect(rocket.decision.outcome == .uncertain, "\(rocket.decision.categories)")
            let weapons = try #require(rocket.decision.categories.first { $0.name == "weapons" })
            #expect(weapons.score >= 0.05 && weapons.verdict == .uncertain)

            // The heavy stage (the moderation.heavy job) files it for review.
            let (heavy, item) = try await cascade.moderateHeavy(sha256: rocket.sha256, bytes: rocket.bytes, store: store)
            #expect(heavy.stage == .heavy && heavy.outcome == .review, "\(heavy.categories)")
            let filed = try #require(item)
            #expect(filed.category == "weapons" && filed.reason == .flagged && filed.state == .pending)
            #expect(filed.decision == heavy)

            // Re-upload while waiting: the cached heavy decision, no model run, no second item.
            let again = try await online("rocket.jpg", cascade, store)
            #expect(again.decision == heavy)
            #expect(try await store.reviewCount(state: .pending, category: nil, now: Date()) == 1)

            // A moderator approves it; from then on the human decision is served.
            let claimed = try #require(try await store.claimNext(reviewer: "ada"))
            #expect(claimed.id == filed.id)
            let human = try await store.decide(id: filed.id, reviewer: "ada", verdict: .approve, reason: "a space launch, not a weapon")
            #expect(human.outcome == .allow && human.stage == .human && human.reviewer == "ada")
            let after = try await online("rocket.jpg", cascade, store)
            #expect(after.decision == human)
            // And the heavy stage does not run over a human decision.
            let (rerun, noItem) = try await cascade.moderateHeavy(sha256: rocket.sha256, bytes: rocket.bytes, store: store)
            #expect(rerun == human && noItem == nil)
        }
    }

    @Test func uniformPortraitIsReviewedAndBlockedOnReject() async throws {
        let cascade = try ModerationFixtures.cascade()
        try await ModerationFixtures.withStore(.sqlite) { store in
            let hopper = try await online("grace_hopper.jpg", cascade, store)
            #expect(hopper.decision.outcome == .uncertain, "\(hopper.decision.categories)")
            // NudeNet's face box is kept for the reviewer, in original-image pixels.
            #expect(hopper.decision.detections.contains { $0.label == "FACE_FEMALE" && $0.box.x + $0.box.width <= 512 })
            let (heavy, item) = try await cascade.moderateHeavy(sha256: hopper.sha256, bytes: hopper.bytes, store: store)
            #expect(heavy.outcome == .review && item?.category == "uniforms", "\(heavy.categories)")
            let id = try #require(item?.id)
            _ = try await store.claim(id: id, reviewer: "grace", lease: .seconds(60), now: Date())
            _ = try await store.decide(id: id, reviewer: "grace", verdict: .reject, reason: "test rejection")
            let blocked = try await online("grace_hopper.jpg", cascade, store)
            #expect(blocked.decision.outcome == .block && blocked.decision.stage == .human)
        }
    }

    @Test func clearBlockIsImmediateAndCached() async throws {
        // A policy strict enough that the online stage blocks the rocket outright.
        let strict = ModerationFixtures.photoPolicyYAML
            .replacingOccurrences(of: "escalate_at: 0.05\n    review_at: 0.05\n    block_at: 0.999\n  uniforms", with: "escalate_at: 0.01\n    review_at: 0.02\n    block_at: 0.05\n  uniforms")
        #expect(strict != ModerationFixtures.photoPolicyYAML)
        let cascade = try ModerationFixtures.cascade(strict)
        try await ModerationFixtures.withStore(.sqlite) { store in
            let rocket = try await online("rocket.jpg", cascade, store)
            #expect(rocket.decision.outcome == .block && rocket.decision.stage == .light, "\(rocket.decision.categories)")
            let cached = try await cascade.knownDecision(sha256: rocket.sha256, store: store)
            #expect(cached == rocket.decision)
            // Blocked outright: nobody needs to review it.
            #expect(try await store.reviewCount(state: .pending, category: nil, now: Date()) == 0)
        }
    }

    @Test func sampledAllowGoesToReview() async throws {
        let everything = ModerationFixtures.photoPolicyYAML.replacingOccurrences(of: "sample_rate: 0", with: "sample_rate: 1")
        let cascade = try ModerationFixtures.cascade(everything)
        try await ModerationFixtures.withStore(.sqlite) { store in
            let castle = try await online("castle-maintenon.jpg", cascade, store)
            #expect(castle.decision.outcome == .allow && castle.decision.sampled)
            let page = try await store.reviewItems(ReviewFilter())
            #expect(page.items.map(\.sha256) == [castle.sha256])
            #expect(page.items.first?.reason == .sampled)
        }
    }

    /// NudeNet's one-pass false positive on a bird is escalated online, and the heavy stage's
    /// mirrored pair clears it without a human.
    @Test func falsePositiveIsEscalatedThenCleared() async throws {
        let cascade = try ModerationFixtures.cascade()
        try await ModerationFixtures.withStore(.sqlite) { store in
            let egret = try await online("egret.jpg", cascade, store)
            let nudity = try #require(egret.decision.categories.first { $0.name == "nudity" })
            #expect(egret.decision.outcome == .uncertain && nudity.evidence == "BUTTOCKS_EXPOSED" && nudity.score > 0.2)
            let (heavy, item) = try await cascade.moderateHeavy(sha256: egret.sha256, bytes: egret.bytes, store: store)
            #expect(heavy.outcome == .allow && item == nil, "\(heavy.categories)")
            let cleared = try #require(heavy.categories.first { $0.name == "nudity" })
            #expect(cleared.score < nudity.score)
        }
    }

    @Test func heavyStageRejectsBadBytes() async throws {
        let cascade = try ModerationFixtures.cascade()
        #expect(throws: ModerationError.self) {
            _ = try cascade.heavy.run(sha256: ModerationFixtures.hash(1), bytes: Array("GIF89a nope".utf8))
        }
    }
}
