import ArgumentParser
import Catalog
import Classification
import Foundation
import Inference
import Moderation

extension ModerateCommand {
    /// The figures `bench/moderation/run.sh` reports; see that script for how to read them.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the light stage's added latency, each heavy recipe, and review-store throughput.")

        @Argument(help: "Image files.") var paths: [String]
        @Option(help: "The policy YAML file.") var policy = "config/moderation-policy.yaml"
        @Option(help: "Timed repetitions per image.") var runs = 5
        @Option(help: "Heavy recipes to time, like 320,320+mirror,640.") var recipes = "320,320+mirror,640,640+mirror"
        @Option(help: "Review items per store run (0 skips the store).") var storeItems = 1000
        @Option(help: "Also measure the store on this PostgreSQL URL (with ?schema=... for a scratch schema).") var postgres: String?
        @OptionGroup var models: ModelOptions

        func run() async throws {
            let manifest = try models.manifest()
            let runtime = try ModelLoader.inference(manifest)
            let policyFile = URL(fileURLWithPath: policy)
            _ = try ModerateCommand.policy(policy, manifest: manifest)
            let images = try paths.map { path in (path, try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) }
            guard !images.isEmpty else { throw CLIError("give at least one image") }
            let cascade = try ModerationCascade.load(policyFile: policyFile, manifest: manifest, runtime: runtime, limits: .default)
            let classifier = try Classifier(runner: try ONNXModelRunner(
                model: try manifest.model(named: "efficientnet-lite0"), runtime: runtime, options: SessionOptions(intraOpThreads: 1)))

            // Light stage: its own time on the classifier's decoded image, beside classify itself.
            var light: [Double] = []
            var letterbox: [Double] = []
            var classify: [Double] = []
            for (_, bytes) in images {
                let prepared = try classifier.prepare(bytes, keepImage: true)
                let labels = try classifier.classify([prepared], top: 5)[0].labels
                _ = try cascade.light.run(sha256: prepared.sha256, image: prepared.image!, labels: labels)  // warm-up
                for _ in 0..<runs {
                    classify.append(try Self.time { _ = try classifier.classify([classifier.prepare(bytes)], top: 5) })
                    light.append(try Self.time { _ = try cascade.light.run(sha256: prepared.sha256, image: prepared.image!, labels: labels) })
                    let image = prepared.image!
                    letterbox.append(Self.time {
                        _ = Letterbox(size: 320, imageWidth: image.width, imageHeight: image.height).tensor(for: image)
                    })
                }
            }
            print(String(format: "light stage: p50 %.1f ms, p99 %.1f ms (n=%d; letterbox alone p50 %.1f ms) | classify (decode+lite0): p50 %.1f ms, p99 %.1f ms",
                         Self.percentile(light, 0.5), Self.percentile(light, 0.99), light.count, Self.percentile(letterbox, 0.5),
                         Self.percentile(classify, 0.5), Self.percentile(classify, 0.99)))

            // Heavy recipes: time per image, and the scores they give.
            let spec = try manifest.model(named: "nudenet-320n")
            for recipe in try recipes.split(separator: ",").map(Self.recipe) {
                let detector = try NudeDetector(spec: spec, runtime: runtime, inputSize: recipe.inputSize)
                let stage = HeavyModerationStage(policy: cascade.policy, detector: detector, recipe: recipe,
                                                 classifier: cascade.heavy.classifier, modelVersions: cascade.light.modelVersions)
                var times: [Double] = []
                var notes: [String] = []
                for (path, bytes) in images {
                    let sha = String(repeating: "0", count: 64)
                    _ = try stage.run(sha256: sha, bytes: bytes)
                    var decision: ModerationDecision?
                    for _ in 0..<max(1, runs / 2) {
                        let start = ContinuousClock.now
                        decision = try stage.run(sha256: sha, bytes: bytes)
                        times.append(Self.milliseconds(ContinuousClock.now - start))
                    }
                    let passes = try detector.detect(try detector.imageDecoder.decode(bytes).image, passes: recipe.mirrored ? [false, true] : [false])
                    let scores = (0..<detector.labels.count).map { c in passes.map { $0.classMaxScores[c] }.reduce(0, +) / Float(passes.count) }
                    let top = scores.indices.max { scores[$0] < scores[$1] }!
                    notes.append(String(format: "%@ %@ %.3f → %@", (path as NSString).lastPathComponent, detector.labels[top], scores[top],
                                        decision!.outcome.rawValue))
                }
                print(String(format: "heavy %@: p50 %.1f ms, p99 %.1f ms per image", recipe.description,
                             Self.percentile(times, 0.5), Self.percentile(times, 0.99)))
                for note in notes { print("    \(note)") }
            }

            // Review store: claims + decisions per second, two reviewers at once.
            if storeItems > 0 {
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lenscale-moderation-bench-\(UUID().uuidString)")
                defer { try? FileManager.default.removeItem(at: directory) }
                try await storeBench(CatalogLocation(parsing: directory.appendingPathComponent("catalog.sqlite").path), name: "SQLite")
                if let postgres { try await storeBench(CatalogLocation(parsing: postgres), name: "PostgreSQL") }
            }
        }

        func storeBench(_ location: CatalogLocation, name: String) async throws {
            try await withCatalog(location) { catalog in
                let store = try moderationStore(for: catalog)
                let recordStart = ContinuousClock.now
                for n in 0..<storeItems {
                    let sha = String(format: "%064x", n + 1)
                    try await store.record(ModerationDecision(
                        sha256: sha, outcome: .review, stage: .heavy,
                        categories: [CategoryScore(name: "weapons", score: 0.5, verdict: .review, evidence: "rifle")],
                        policyVersion: "bench", modelVersions: ["m": "1"]))
                }
                let recordSeconds = Self.milliseconds(ContinuousClock.now - recordStart) / 1000
                let start = ContinuousClock.now
                let done = try await withThrowingTaskGroup(of: Int.self) { group in
                    for reviewer in ["ada", "bob"] {
                        group.addTask {
                            var count = 0
                            while let item = try await store.claimNext(reviewer: reviewer) {
                                _ = try await store.decide(id: item.id, reviewer: reviewer, verdict: .approve, reason: "bench")
                                count += 1
                            }
                            return count
                        }
                    }
                    return try await group.reduce(0, +)
                }
                let seconds = Self.milliseconds(ContinuousClock.now - start) / 1000
                print(String(format: "store %@: %d review items filed at %.0f/s; claim+decide %.0f items/s (%.0f operations/s), 2 reviewers",
                             name, storeItems, Double(storeItems) / recordSeconds, Double(done) / seconds, 2 * Double(done) / seconds))
            }
        }

        static func recipe(_ text: Substring) throws -> HeavyModerationStage.Recipe {
            let parts = text.split(separator: "+")
            guard let size = parts.first.flatMap({ Int($0) }), size >= 32, size % 32 == 0,
                  parts.count == 1 || (parts.count == 2 && parts[1] == "mirror") else {
                throw CLIError("a recipe is a multiple of 32, optionally with +mirror (like 640+mirror), not '\(text)'")
            }
            return HeavyModerationStage.Recipe(inputSize: size, mirrored: parts.count == 2)
        }

        static func time(_ body: () throws -> Void) rethrows -> Double {
            let start = ContinuousClock.now
            try body()
            return milliseconds(ContinuousClock.now - start)
        }

        static func milliseconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        }

        static func percentile(_ values: [Double], _ p: Double) -> Double {
            guard !values.isEmpty else { return 0 }
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
    }
}
