/// Something that runs one model on a batch of preprocessed images.
///
/// A protocol so the classification pipeline and its tests can run on a stand-in (a fixed-output
/// fake, a recording wrapper) as well as on ONNX Runtime.
public protocol ModelRunner: Sendable {
    /// The model this runner executes, with its preprocessing and output names.
    var model: ModelSpec { get }

    /// Runs a batch: `input` is NCHW float32 `[N, 3, S, S]` for any N ≥ 1, S being
    /// `model.input.size`, already resized, cropped and normalised as `model.input` says.
    /// Safe to call from several threads at once.
    func run(_ input: Tensor) throws -> ModelOutputs
}
