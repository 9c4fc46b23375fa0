import Foundation
import Hashing

/// The model outputs a policy scores: NudeNet's per-class maximum scores and ImageNet
/// probabilities (only the classes the caller has, usually the classifier's top-k).
public struct ModelEvidence: Sendable, Equatable {
    /// Indexed like nudenet_classes.txt; empty when the detector did not run.
    public var detectorScores: [Float]
    /// ImageNet class index → softmax probability.
    public var imagenetScores: [Int: Float]

    public init(detectorScores: [Float] = [], imagenetScores: [Int: Float] = [:]) {
        self.detectorScores = detectorScores
        self.imagenetScores = imagenetScores
    }
}

extension ModerationPolicy {
    /// Scores every category and applies the thresholds for `stage`.
    ///
    /// Light stage: block at `blockAt`, `uncertain` from `escalateAt`, else allow; it never files
    /// a review item itself. Heavy stage: block at `blockAt`, review from `reviewAt`, else allow.
    public func score(
        _ evidence: ModelEvidence, stage: ModerationDecision.Stage, detectorLabels: [String], imagenetLabels: [String]
    ) -> [CategoryScore] {
        categories.map { category in
            var best: Float = 0
            var evidenceName = ""
            for index in category.detectorClasses where index < evidence.detectorScores.count {
                if evidence.detectorScores[index] > best {
                    best = evidence.detectorScores[index]
                    evidenceName = index < detectorLabels.count ? detectorLabels[index] : "detector class \(index)"
                }
            }
            for index in category.imagenetClasses {
                if let score = evidence.imagenetScores[index], score > best {
                    best = score
                    evidenceName = index < imagenetLabels.count ? imagenetLabels[index] : "ImageNet class \(index)"
                }
            }
            return CategoryScore(name: category.name, score: best, verdict: verdict(best, category, stage), evidence: evidenceName)
        }
    }

    func verdict(_ score: Float, _ category: Category, _ stage: ModerationDecision.Stage) -> ModerationDecision.Outcome {
        if score >= category.blockAt { return .block }
        switch stage {
        case .light: return score >= category.escalateAt ? .uncertain : .allow
        case .heavy, .human: return score >= category.reviewAt ? .review : .allow
        }
    }

    /// The decision for `sha256` from category scores: the worst verdict wins, and an allowed
    /// image may be sampled for review.
    public func decide(
        sha256: String, scores: [CategoryScore], stage: ModerationDecision.Stage, detections: [Detection],
        modelVersions: [String: String], at date: Date = Date()
    ) -> ModerationDecision {
        let outcome = scores.map(\.verdict).max { $0.severity < $1.severity } ?? .allow
        // Only a final allow is sampled: an uncertain light result is not final yet.
        let sampled = outcome == .allow && isSampled(sha256: sha256)
        return ModerationDecision(
            sha256: sha256, outcome: outcome, stage: stage, categories: scores, detections: detections,
            sampled: sampled, policyVersion: id, modelVersions: modelVersions, decidedAt: date)
    }

    /// Whether the allowed image `sha256` goes to quality-control review.
    ///
    /// Deterministic, from a hash of the policy's hash and the image's, so a retried job, a
    /// second replica or a re-upload all agree, and each policy samples a different subset.
    public func isSampled(sha256: String) -> Bool {
        guard sampleRate > 0 else { return false }
        let digest = ContentHash(of: Array("\(contentHash):\(sha256)".utf8)).bytes
        let value = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Double(value) / 18_446_744_073_709_551_616.0 < sampleRate
    }
}
