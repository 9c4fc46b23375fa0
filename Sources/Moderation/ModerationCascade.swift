import Classification
import Foundation
import ImageDecoding
import Inference

/// The two stages under one policy and one model set, and the store calls around them: what the
/// HTTP routes, ingest and the `moderation.heavy` job handler call.
///
/// Online: `moderateOnline` returns a cached or overriding decision at once (a known-bad image is
/// blocked without running a model), else runs the light stage and records its decision. An
/// `.uncertain` result means "enqueue `moderation.heavy` for this hash"; the job calls
/// `moderateHeavy`, whose recorded decision files the review item when one is needed.
public struct ModerationCascade: Sendable {
    public let light: LightModerationStage
    public let heavy: HeavyModerationStage
    /// The heavy stage's own thread: it decodes the full image and runs two models, blocking
    /// for up to seconds, which on Swift's cooperative pool stalled every other task of the
    /// process (the server's requests among them). One thread: a worker runs one heavy job at
    /// a time anyway (`HeavyModerationHandler.batchSize`).
    let heavyExecutor = BackgroundThreads(count: 1, name: "heavy-moderate")

    public var policy: ModerationPolicy { light.policy }
    /// The key decisions are cached under, with the policy id.
    public var modelKey: String { ModerationDecision.modelKey(light.modelVersions) }

    public init(light: LightModerationStage, heavy: HeavyModerationStage) {
        self.light = light
        self.heavy = heavy
    }

    /// Loads the policy and both stages' models from the manifest.
    ///
    /// - Parameters:
    ///   - onlineClassifier: the model whose labels the online path passes to `moderateOnline`
    ///     (recorded in every decision's model versions).
    ///   - threads: intra-op threads per detector session; 1 holds up best under contention.
    ///   - limits: the decode limits of the server or worker the cascade runs in, so an image
    ///     refused for classification is refused for moderation too.
    public static func load(
        policyFile: URL, manifest: ModelManifest, runtime: ONNXRuntime, onlineClassifier: String = "efficientnet-lite0",
        heavyRecipe: HeavyModerationStage.Recipe = .chosen, threads: Int = 1, limits: DecodeLimits
    ) throws -> ModerationCascade {
        let detectorSpec = try manifest.model(named: "nudenet-320n")
        let heavySpec = try manifest.model(named: "efficientnet-lite2")
        let online = try manifest.model(named: onlineClassifier)
        let policy = try ModerationPolicy.load(
            contentsOf: policyFile, detectorLabels: try detectorSpec.loadLabels(), imagenetLabels: try heavySpec.loadLabels())
        let options = SessionOptions(intraOpThreads: threads)
        let lightDetector = try NudeDetector(spec: detectorSpec, runtime: runtime, options: options, limits: limits)
        let heavyDetector = heavyRecipe.inputSize == lightDetector.inputSize
            ? lightDetector
            : try NudeDetector(spec: detectorSpec, runtime: runtime, inputSize: heavyRecipe.inputSize, options: options, limits: limits)
        let classifier = try Classifier(runner: try ONNXModelRunner(model: heavySpec, runtime: runtime, options: options),
                                        decoder: ImageDecoder(limits: limits))
        let versions = [detectorSpec.name: detectorSpec.version, online.name: online.version, heavySpec.name: heavySpec.version]
        return ModerationCascade(
            light: LightModerationStage(policy: policy, detector: lightDetector, imagenetLabels: classifier.labels, modelVersions: versions),
            heavy: HeavyModerationStage(policy: policy, detector: heavyDetector, recipe: heavyRecipe, classifier: classifier,
                                        modelVersions: versions))
    }

    /// The decision in force for `sha256`, if any: a reviewer's, else a cached one for this policy
    /// and model set.
    public func knownDecision(sha256: String, store: any ModerationStore) async throws(ModerationError) -> ModerationDecision? {
        try await store.decision(sha256: sha256, policyVersion: policy.id, modelKey: modelKey)
    }

    /// The online path: a known decision, else the light stage's, recorded.
    ///
    /// A known `.uncertain` decision is returned as is: the heavy job for it is queued or
    /// running, and the caller enqueues `moderation.heavy` again on every `.uncertain` (with the
    /// hash as its idempotency key), so a lost job heals on the next upload.
    ///
    /// - Parameters:
    ///   - image: the upright pixels the classifier decoded (`Classifier.prepare(keepImage: true)`).
    ///   - labels: the classifier's labels for it.
    public func moderateOnline(
        sha256: String, image: RGBImage, labels: [Label], store: any ModerationStore
    ) async throws(ModerationError) -> ModerationDecision {
        if let known = try await knownDecision(sha256: sha256, store: store) {
            return known
        }
        let decision = try light.run(sha256: sha256, image: image, labels: labels)
        try await store.record(decision)
        return decision
    }

    /// The heavy stage for `sha256` (the `moderation.heavy` job), recorded; a human decision made
    /// meanwhile wins and is returned without running the models.
    public func moderateHeavy(
        sha256: String, bytes: [UInt8], store: any ModerationStore
    ) async throws(ModerationError) -> (decision: ModerationDecision, reviewItem: ReviewItem?) {
        if let known = try await knownDecision(sha256: sha256, store: store), known.stage == .human {
            return (known, nil)
        }
        let heavy = heavy
        let decision = try await heavyExecutor.run { () throws(ModerationError) in try heavy.run(sha256: sha256, bytes: bytes) }
        let item = try await store.record(decision)
        return (decision, item)
    }
}
