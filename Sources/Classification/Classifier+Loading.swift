import ImageDecoding
import Inference

extension Classifier {
    /// A manifest's model with its checksum verified, on ONNX Runtime: how every process (`serve`,
    /// `worker`, `classify`, `ingest`) loads one, so they cannot drift apart.
    ///
    /// Spinning off: ORT's idle intra-op threads would otherwise spin on cores that the decoders
    /// and the HTTP threads need between batches.
    public static func load(
        named name: String, manifest: ModelManifest, inference: ONNXRuntime, threads: Int, limits: DecodeLimits
    ) throws -> Classifier {
        let spec = try manifest.model(named: name)
        try spec.verifyChecksum()
        let runner = try ONNXModelRunner(model: spec, runtime: inference,
                                         options: SessionOptions(intraOpThreads: threads, allowSpinning: false))
        return try Classifier(runner: runner, decoder: ImageDecoder(limits: limits))
    }
}
