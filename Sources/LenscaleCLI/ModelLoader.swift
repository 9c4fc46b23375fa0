import Classification
import ImageDecoding
import Inference

/// Builds a classifier from the manifest, turning every setup problem into one actionable line.
enum ModelLoader {
    static func classifier(named name: String, manifest: ModelManifest, threads: Int, limits: DecodeLimits) throws -> Classifier {
        do {
            let spec = try manifest.model(named: name)
            try spec.verifyChecksum()
            let runtime = try ONNXRuntime.load(manifest: manifest)
            let runner = try ONNXModelRunner(model: spec, runtime: runtime,
                                             options: SessionOptions(intraOpThreads: threads, allowSpinning: false))
            return try Classifier(runner: runner, decoder: ImageDecoder(limits: limits))
        } catch {
            throw CLIError("\(error)")
        }
    }
}
