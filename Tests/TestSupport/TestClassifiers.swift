import Classification
import Foundation
import ImageDecoding
import Inference
import Synchronization

/// Classifiers are loaded once per model for the whole test process: a session takes ~100 ms
/// and a few MB, and ORT sessions are safe to share across concurrent tests.
public enum Classifiers {
    public static let manifest: ModelManifest = {
        do { return try ModelManifest.load(from: TestPaths.models.appendingPathComponent("models.json")) } catch {
            fatalError("run `make setup` first: \(error)")
        }
    }()

    /// The test process's ONNX Runtime, loaded once as a process's composition root would.
    public static let inference: ONNXRuntime = {
        do { return try ONNXRuntime.load(manifest: manifest) } catch { fatalError("run `make setup` first: \(error)") }
    }()

    static let cache = Mutex<[String: Classifier]>([:])

    public static func named(_ name: String) throws -> Classifier {
        try cache.withLock { cache in
            if let classifier = cache[name] { return classifier }
            let runner = try ONNXModelRunner(model: manifest.model(named: name), runtime: inference,
                                             options: SessionOptions(intraOpThreads: 1))
            let classifier = try Classifier(runner: runner)
            cache[name] = classifier
            return classifier
        }
    }

    /// Top-k predictions for one file.
    public static func classify(_ url: URL, model: String, top: Int = 5) throws -> Prediction {
        let classifier = try named(model)
        let prepared = try classifier.prepare(try bytes(of: url))
        return try classifier.classify([prepared], top: top)[0]
    }
}
