import Classification
import ImageDecoding
import Inference

/// Builds a classifier from the manifest, turning every setup problem into one actionable line.
enum ModelLoader {
    static func classifier(named name: String, manifest: ModelManifest, threads: Int, limits: DecodeLimits) throws -> Classifier {
        do {
            return try Classifier.load(named: name, manifest: manifest, threads: threads, limits: limits)
        } catch {
            throw CLIError("\(error)")
        }
    }
}
