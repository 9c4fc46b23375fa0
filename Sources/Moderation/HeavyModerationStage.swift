import Classification
import Foundation
import ImageDecoding

/// The asynchronous stage for what the light stage found uncertain: NudeNet again with a
/// heavier recipe, plus EfficientNet-Lite2's full ImageNet distribution, scored with the review
/// thresholds. Whatever it flags (or samples) becomes a review item when recorded.
///
/// Register it as a job kind (`moderation.heavy`) with a handler that loads the bytes and calls
/// `run(sha256:bytes:)`; it is a plain value, safe to share between workers.
///
/// The recipe, chosen by measurement (`bench/moderation/run.sh`, release, 1 ORT thread, all 23
/// shared photos; figures in bench/moderation/README.md): NudeNet at 320 on the image and on its
/// mirror image, in one batch of two, class scores averaged over both passes (`Recipe.chosen`).
/// - 640 (the graph's input is dynamic) costs 1.5–2× a 320 stage and 640+mirror 3.2–3.6×,
///   and on these safe photos 640 *raises* false positives of a model trained at 320: citrus
///   fruit "BUTTOCKS_COVERED" 0.58, a wine still life "FEMALE_BREAST_EXPOSED" 0.33 (0.45 with the
///   mirror, which sends it to review under the example policy).
/// - The mirrored pair costs 1.2–1.35× and lowers every one-pass false positive of the exposed
///   classes above 0.2 (egret 0.274 → 0.212, wine 0.254 → 0.204, coffee 0.208 → ≤ 0.151)
///   while the one true detection, the portrait's face, rises (0.617 → 0.683).
/// The photos hold nothing unsafe, so recall on real positives is unmeasured: re-run the bench
/// on a labelled set before tightening thresholds.
public struct HeavyModerationStage: Sendable {
    /// How the detector is run.
    public struct Recipe: Sendable, Equatable, CustomStringConvertible {
        public var inputSize: Int
        public var mirrored: Bool

        public init(inputSize: Int, mirrored: Bool) {
            self.inputSize = inputSize
            self.mirrored = mirrored
        }

        public static let chosen = Recipe(inputSize: 320, mirrored: true)

        public var description: String { "\(inputSize)\(mirrored ? "+mirror" : "")" }
    }

    public let policy: ModerationPolicy
    /// Runs at `recipe.inputSize`.
    public let detector: NudeDetector
    public let recipe: Recipe
    /// EfficientNet-Lite2.
    public let classifier: Classifier
    public let modelVersions: [String: String]

    public init(
        policy: ModerationPolicy, detector: NudeDetector, recipe: Recipe, classifier: Classifier,
        modelVersions: [String: String]
    ) {
        self.policy = policy
        self.detector = detector
        self.recipe = recipe
        self.classifier = classifier
        self.modelVersions = modelVersions
    }

    /// Decides on the image `bytes` whose content hash is `sha256`. Blocks for the decode and
    /// both models: run it off the cooperative pool (`ModerationCascade.moderateHeavy` does).
    public func run(sha256: String, bytes: [UInt8]) throws(ModerationError) -> ModerationDecision {
        let image: RGBImage
        do {
            image = try detector.imageDecoder.decode(bytes).image
        } catch {
            throw .detector(.decode(error))
        }
        let passes: [DetectionResult]
        do {
            passes = try detector.detect(image, passes: recipe.mirrored ? [false, true] : [false])
        } catch {
            throw .detector(error)
        }
        let labels: [Label]
        do {
            let prepared = try classifier.prepare(bytes, sha256: sha256)
            labels = try classifier.classify([prepared], top: classifier.labels.count)[0].labels
        } catch {
            throw .classifier(error)
        }
        let classCount = detector.labels.count
        let averaged = (0..<classCount).map { c in passes.map { $0.classMaxScores[c] }.reduce(0, +) / Float(passes.count) }
        // Boxes from every pass, merged by the same per-class NMS, for the reviewer to see.
        let boxes = detector.decoder.nonMaximumSuppression(passes.flatMap(\.detections))
        var imagenet: [Int: Float] = [:]
        for label in labels { imagenet[label.index] = label.score }
        let evidence = ModelEvidence(detectorScores: averaged, imagenetScores: imagenet)
        let scores = policy.score(evidence, stage: .heavy, detectorLabels: detector.labels, imagenetLabels: classifier.labels)
        return policy.decide(sha256: sha256, scores: scores, stage: .heavy, detections: boxes, modelVersions: modelVersions)
    }
}
