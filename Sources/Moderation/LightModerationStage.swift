import Classification
import Foundation
import ImageDecoding

/// The online stage: NudeNet at 320 on the image the classifier already decoded, plus the
/// classifier's ImageNet labels, scored by the policy. Clear allows and clear blocks are final;
/// anything between `escalateAt` and `blockAt` comes back `.uncertain` for the heavy stage.
///
/// It adds one detector pass (and its letterbox) to a request and nothing else: no second decode,
/// no second classifier. `bench/moderation` measures what that costs.
public struct LightModerationStage: Sendable {
    public let policy: ModerationPolicy
    public let detector: NudeDetector
    public let imagenetLabels: [String]
    /// The cascade's models (both stages), recorded on every decision.
    public let modelVersions: [String: String]

    public init(policy: ModerationPolicy, detector: NudeDetector, imagenetLabels: [String], modelVersions: [String: String]) {
        self.policy = policy
        self.detector = detector
        self.imagenetLabels = imagenetLabels
        self.modelVersions = modelVersions
    }

    /// Decides on `image` (upright pixels, any scale) given the classifier's `labels` for it.
    public func run(sha256: String, image: RGBImage, labels: [Label]) throws(ModerationError) -> ModerationDecision {
        let result: DetectionResult
        do {
            result = try detector.detect(image)
        } catch {
            throw .detector(error)
        }
        var imagenet: [Int: Float] = [:]
        for label in labels { imagenet[label.index] = max(imagenet[label.index] ?? 0, label.score) }
        let evidence = ModelEvidence(detectorScores: result.classMaxScores, imagenetScores: imagenet)
        let scores = policy.score(evidence, stage: .light, detectorLabels: detector.labels, imagenetLabels: imagenetLabels)
        return policy.decide(sha256: sha256, scores: scores, stage: .light, detections: result.detections, modelVersions: modelVersions)
    }
}
