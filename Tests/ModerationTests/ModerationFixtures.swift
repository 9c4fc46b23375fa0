import Catalog
import Classification
import Foundation
import Inference
import Moderation
import TestSupport

/// Labels, policies, detectors and stores shared by the moderation tests.
enum ModerationFixtures {
    static var detectorSpec: ModelSpec { get throws { try Classifiers.manifest.model(named: "nudenet-320n") } }
    static let detectorLabels: [String] = (try? Classifiers.manifest.model(named: "nudenet-320n").loadLabels()) ?? []
    static let imagenetLabels: [String] = (try? Classifiers.manifest.model(named: "efficientnet-lite0").loadLabels()) ?? []

    static func policy(_ yaml: String) throws(PolicyError) -> ModerationPolicy {
        try ModerationPolicy.load(yaml: yaml, detectorLabels: detectorLabels, imagenetLabels: imagenetLabels)
    }

    /// Rules on ImageNet classes the shared photos contain, so the cascade is tested without any
    /// unsafe image: rocket.jpg is a missile/space shuttle, grace_hopper.jpg wears a uniform.
    /// The review thresholds are low because EfficientNet-Lite2, which the heavy stage reads,
    /// spreads these two photos' probability wider than Lite0 (rocket: missile 0.08; the
    /// portrait: military uniform 0.10). The nudity rule escalates coffee.png, egret.jpg and
    /// Wine_by_Jakkub_Mede.jpg, where NudeNet's 320 pass scores exposed classes 0.21 to 0.27.
    static let photoPolicyYAML = """
        version: 7
        sample_rate: 0
        categories:
          weapons:
            imagenet_classes: [missile, "projectile, missile", space shuttle]
            escalate_at: 0.05
            review_at: 0.05
            block_at: 0.999
          uniforms:
            imagenet_classes: [military uniform]
            escalate_at: 0.05
            review_at: 0.05
            block_at: 0.999
          nudity:
            detector_classes: [BUTTOCKS_EXPOSED, FEMALE_BREAST_EXPOSED, FEMALE_GENITALIA_EXPOSED, MALE_GENITALIA_EXPOSED]
            escalate_at: 0.2
            review_at: 0.5
            block_at: 0.9
        """

    static var runtime: ONNXRuntime { Classifiers.inference }

    static func detector(size: Int? = nil, decoder: YOLODecoder = YOLODecoder()) throws -> NudeDetector {
        try NudeDetector(spec: try detectorSpec, runtime: runtime, inputSize: size, decoder: decoder)
    }

    /// A cascade over `yaml`, written to a temporary policy file.
    static func cascade(_ yaml: String = photoPolicyYAML) throws -> ModerationCascade {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("policy.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try ModerationCascade.load(policyFile: file, manifest: Classifiers.manifest, runtime: runtime, limits: .default)
    }

    /// Runs `body` with a fresh store (and its catalog) on `backend`.
    static func withStore<T>(_ backend: TestBackend, _ body: (any ModerationStore) async throws -> T) async throws -> T {
        try await withStore(backend) { store, _ in try await body(store) }
    }

    /// Runs `body` with a fresh store and the catalog under it on `backend`.
    static func withStore<T>(_ backend: TestBackend, _ body: (any ModerationStore, any Catalog) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite:
            let directory = try TestPaths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            return try await withCatalog(CatalogLocation(parsing: directory.appendingPathComponent("catalog.sqlite").path)) { catalog in
                try await body(try moderationStore(for: catalog), catalog)
            }
        case .postgres:
            return try await TestPostgres.withIsolatedSchema("moderation") { _, url in
                try await withCatalog(CatalogLocation(parsing: url)) { catalog in
                    try await body(try moderationStore(for: catalog), catalog)
                }
            }
        }
    }

    /// A model decision for tests of the store.
    static func decision(
        _ sha256: String, outcome: ModerationDecision.Outcome, stage: ModerationDecision.Stage = .heavy, sampled: Bool = false,
        category: String = "weapons", score: Float = 0.5
    ) -> ModerationDecision {
        ModerationDecision(
            sha256: sha256, outcome: outcome, stage: stage,
            categories: [CategoryScore(name: category, score: score, verdict: outcome, evidence: "missile")],
            detections: [Detection(classIndex: 1, label: "FACE_FEMALE", score: 0.6,
                                   box: .init(x: 1, y: 2, width: 30, height: 40))],
            sampled: sampled, policyVersion: "7+abc", modelVersions: ["nudenet-320n": "1", "efficientnet-lite2": "2"],
            decidedAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    static func hash(_ n: Int) -> String {
        String(repeating: "0", count: 64 - String(n, radix: 16).count) + String(n, radix: 16)
    }
}
