import Foundation

/// Runs one manifest model with ONNX Runtime on the CPU.
///
/// Creating it compiles the graph (15 to 25 ms for our models on a 2-core VM) and checks
/// the manifest against the real graph: the input name, a float32 `[N, 3, S, S]` input, and every
/// output the manifest names. A stale or mismatched manifest therefore fails here, with the names
/// the graph does have, instead of at the first image. One runner serves any number of threads.
public final class ONNXModelRunner: ModelRunner {
    public let model: ModelSpec
    public let options: SessionOptions
    public let runtime: ONNXRuntime
    private let session: ORTSession
    /// The ONNX names of the outputs the manifest gives roles to, sorted: what each run fetches.
    private let outputNames: [String]

    public init(model: ModelSpec, runtime: ONNXRuntime, options: SessionOptions = SessionOptions()) throws {
        // ORT would say "File doesn't exist" too, but not that `make setup` is the fix.
        guard FileManager.default.fileExists(atPath: model.fileURL.path) else {
            throw InferenceError.modelFileNotFound(model: model.name, path: model.fileURL.path)
        }
        self.model = model
        self.options = options
        self.runtime = runtime
        self.session = try ORTSession(runtime: runtime, modelPath: model.fileURL.path, options: options)
        self.outputNames = Set(model.outputs.values).sorted()
        try Self.validate(model, inputs: session.inputs, outputs: session.outputs)
    }

    /// The graph's inputs and outputs, as ORT reports them.
    public var inputs: [TensorDescription] { session.inputs }
    public var outputs: [TensorDescription] { session.outputs }

    public func run(_ input: Tensor) throws -> ModelOutputs {
        let size = model.input.size
        let shape = input.shape
        // Checked here, not left to ORT: ORT does reject a wrong rank or size, but a batch of
        // zero images or a wrong channel count on a model with dynamic dims could slip through.
        guard shape.count == 4, shape[0] >= 1, shape[1] == 3, shape[2] == size, shape[3] == size else {
            throw InferenceError.inputShapeMismatch(model: model.name, expected: [-1, 3, size, size], got: shape)
        }
        let tensors = try session.run(input: input, inputName: model.input.name, outputNames: outputNames)
        return ModelOutputs(tensors: tensors, roles: model.outputs)
    }
}
