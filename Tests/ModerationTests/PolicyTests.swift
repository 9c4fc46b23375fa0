import Foundation
import Moderation
import Testing
import TestSupport

@Suite struct PolicyTests {
    static let yaml = """
        version: 2
        sample_rate: 0.5
        categories:
          weapons:
            imagenet_classes: [revolver, "assault rifle, assault gun", 765]
            escalate_at: 0.1
            review_at: 0.3
            block_at: 0.8
          nudity:
            detector_classes: [FEMALE_BREAST_EXPOSED]
            review_at: 0.4
            block_at: 0.9
        """

    @Test func parsesCategoriesClassesAndThresholds() throws {
        let policy = try ModerationFixtures.policy(Self.yaml)
        #expect(policy.version == 2)
        #expect(policy.sampleRate == 0.5)
        #expect(policy.categories.map(\.name) == ["weapons", "nudity"])
        #expect(policy.categories[0].imagenetClasses == [763, 413, 765])
        #expect(policy.categories[1].detectorClasses == [3])
        // escalate_at defaults to review_at.
        #expect(policy.categories[1].escalateAt == 0.4)
        #expect(policy.id.hasPrefix("2+") && policy.id.count == 14)
        // Any edit changes the id, even without a version bump.
        let edited = try ModerationFixtures.policy(Self.yaml.replacingOccurrences(of: "block_at: 0.8", with: "block_at: 0.85"))
        #expect(edited.version == policy.version && edited.id != policy.id)
    }

    @Test func theExampleConfigLoads() throws {
        let policy = try ModerationPolicy.load(
            contentsOf: TestPaths.repositoryRoot.appendingPathComponent("config/moderation-policy.yaml"),
            detectorLabels: ModerationFixtures.detectorLabels, imagenetLabels: ModerationFixtures.imagenetLabels)
        #expect(policy.categories.map(\.name) == ["nudity", "suggestive", "weapons"])
    }

    func decide(_ policy: ModerationPolicy, weapons: Float, stage: ModerationDecision.Stage, sha256: String = String(repeating: "a", count: 64)) -> ModerationDecision {
        let evidence = ModelEvidence(detectorScores: [Float](repeating: 0, count: 18), imagenetScores: [763: weapons])
        let scores = policy.score(evidence, stage: stage, detectorLabels: ModerationFixtures.detectorLabels,
                                  imagenetLabels: ModerationFixtures.imagenetLabels)
        return policy.decide(sha256: sha256, scores: scores, stage: stage, detections: [], modelVersions: ["m": "1"])
    }

    @Test func eachOutcome() throws {
        var policy = try ModerationFixtures.policy(Self.yaml)
        policy.sampleRate = 0
        // Heavy stage: allow, review, block.
        #expect(decide(policy, weapons: 0.29, stage: .heavy).outcome == .allow)
        #expect(decide(policy, weapons: 0.3, stage: .heavy).outcome == .review)
        #expect(decide(policy, weapons: 0.8, stage: .heavy).outcome == .block)
        // Light stage: allow, uncertain (escalated), block; it never files a review itself.
        #expect(decide(policy, weapons: 0.09, stage: .light).outcome == .allow)
        #expect(decide(policy, weapons: 0.1, stage: .light).outcome == .uncertain)
        #expect(decide(policy, weapons: 0.5, stage: .light).outcome == .uncertain)
        #expect(decide(policy, weapons: 0.95, stage: .light).outcome == .block)
        let flagged = decide(policy, weapons: 0.5, stage: .heavy)
        #expect(flagged.categories[0] == CategoryScore(name: "weapons", score: 0.5, verdict: .review, evidence: "revolver, six-gun, six-shooter"))
        #expect(flagged.policyVersion == policy.id && flagged.modelVersions == ["m": "1"])
        #expect(flagged.needsReview && flagged.primaryCategory == "weapons")
    }

    @Test func sampledReviewIsDeterministicAndNearTheRate() throws {
        let policy = try ModerationFixtures.policy(Self.yaml)  // sample_rate 0.5
        let hashes = (0..<400).map { ModerationFixtures.hash($0 * 7919 + 1) }
        let sampled = hashes.filter { decide(policy, weapons: 0, stage: .heavy, sha256: $0).sampled }
        #expect((150...250).contains(sampled.count))
        // The same image is sampled the same way every time, and a sampled allow needs review.
        for hash in hashes.prefix(50) {
            let first = decide(policy, weapons: 0, stage: .heavy, sha256: hash)
            #expect(first.sampled == policy.isSampled(sha256: hash))
            #expect(first.outcome == .allow && first.needsReview == first.sampled)
        }
        // Never sampled: flagged or blocked images, and anything at rate 0.
        #expect(!decide(policy, weapons: 0.9, stage: .heavy, sha256: sampled[0]).sampled)
        var none = policy
        none.sampleRate = 0
        #expect(!decide(none, weapons: 0, stage: .heavy, sha256: sampled[0]).sampled)
    }

    /// Each malformed policy, the line and column its error must point at, and words the reason
    /// must contain.
    static let malformed: [(String, String, Int, Int, String)] = [
        ("unknown top-level key", "version: 1\ncategory:\n  a: {}\n", 2, 1, "unknown key 'category'"),
        ("unknown category key", "version: 1\ncategories:\n  w:\n    imagenet_classes: [rifle]\n    review: 0.3\n    block_at: 0.5\n",
         5, 5, "unknown key 'review'"),
        ("version not a number", "version: one\ncategories:\n  w: {imagenet_classes: [rifle], review_at: 0.1, block_at: 0.2}\n",
         1, 10, "version must be a positive integer"),
        ("threshold not a number", "version: 1\ncategories:\n  w:\n    imagenet_classes: [rifle]\n    review_at: high\n    block_at: 0.5\n",
         5, 16, "review_at must be a number"),
        ("threshold above 1", "version: 1\ncategories:\n  w:\n    imagenet_classes: [rifle]\n    review_at: 0.3\n    block_at: 1.5\n",
         6, 15, "block_at must be from 0 to 1"),
        ("thresholds out of order", "version: 1\ncategories:\n  w:\n    imagenet_classes: [rifle]\n    review_at: 0.6\n    block_at: 0.5\n",
         5, 16, "must not exceed block_at"),
        ("escalate above review", "version: 1\ncategories:\n  w:\n    imagenet_classes: [rifle]\n    escalate_at: 0.7\n    review_at: 0.6\n    block_at: 0.9\n",
         5, 18, "escalate_at (0.7) must not exceed review_at"),
        ("unknown ImageNet class", "version: 1\ncategories:\n  w:\n    imagenet_classes: [rifle, lightsaber]\n    review_at: 0.3\n    block_at: 0.5\n",
         4, 31, "unknown ImageNet class 'lightsaber'"),
        ("ambiguous ImageNet class", "version: 1\ncategories:\n  w:\n    imagenet_classes: [crane]\n    review_at: 0.3\n    block_at: 0.5\n",
         4, 24, "ambiguous"),
        ("unknown detector class", "version: 1\ncategories:\n  n:\n    detector_classes: [FACE_ROBOT]\n    review_at: 0.3\n    block_at: 0.5\n",
         4, 24, "unknown detector class 'FACE_ROBOT'"),
        ("class list not a list", "version: 1\ncategories:\n  n:\n    detector_classes: FACE_MALE\n    review_at: 0.3\n    block_at: 0.5\n",
         4, 23, "must be a YAML list"),
        ("category without classes", "version: 1\ncategories:\n  n:\n    review_at: 0.3\n    block_at: 0.5\n",
         4, 5, "names no detector_classes or imagenet_classes"),
        ("missing block_at", "version: 1\ncategories:\n  n:\n    detector_classes: [FACE_MALE]\n    review_at: 0.3\n",
         4, 5, "lacks 'block_at'"),
        ("duplicate key", "version: 1\nversion: 2\ncategories:\n  w: {imagenet_classes: [rifle], review_at: 0.1, block_at: 0.2}\n",
         2, 1, "appears twice"),
        ("sample rate out of range", "version: 1\nsample_rate: -0.1\ncategories:\n  w: {imagenet_classes: [rifle], review_at: 0.1, block_at: 0.2}\n",
         2, 14, "sample_rate must be from 0 to 1"),
        ("YAML syntax", "version: 1\ncategories:\n  w: [unclosed\n", 4, 1, "invalid YAML"),
        ("not a mapping", "- just\n- a list\n", 1, 1, "must be a mapping"),
    ]

    @Test(arguments: malformed.indices)
    func malformedPolicyIsRejectedWithLineAndReason(_ index: Int) {
        let (name, yaml, line, column, reason) = Self.malformed[index]
        #expect(throws: PolicyError.self, "\(name)") {
            try ModerationFixtures.policy(yaml)
        }
        do {
            _ = try ModerationFixtures.policy(yaml)
        } catch {
            #expect(error.line == line, "\(name): \(error)")
            #expect(error.column == column, "\(name): \(error)")
            #expect(error.reason.contains(reason), "\(name): \(error)")
            #expect(error.description.contains("\(line):\(column)"), "\(name)")
        }
    }

    @Test func unreadableFileIsAnErrorNamingIt() {
        let url = URL(fileURLWithPath: "/nonexistent/policy.yaml")
        do {
            _ = try ModerationPolicy.load(contentsOf: url, detectorLabels: [], imagenetLabels: [])
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description.contains("/nonexistent/policy.yaml"))
        }
    }
}
