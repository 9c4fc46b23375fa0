import Classification
import ImageDecoding
import Inference

/// Builds a classifier from the manifest, turning every setup problem into one actionable line.
enum ModelLoader {
    /// ONNX Runtime as the manifest configures it: each command loads it once and hands it to
    /// every model it runs.
    static func inference(_ manifest: ModelManifest) throws -> ONNXRuntime {
        do {
            return try ONNXRuntime.load(manifest: manifest)
        } catch {
            throw CLIError("\(error)")
        }
    }

    static func classifier(
        named name: String, manifest: ModelManifest, inference: ONNXRuntime, threads: Int, limits: DecodeLimits
    ) throws -> Classifier {
        do {
            return try Classifier.load(named: name, manifest: manifest, inference: inference, threads: threads, limits: limits)
        } catch {
            throw CLIError("\(error)")
        }
    }
}
