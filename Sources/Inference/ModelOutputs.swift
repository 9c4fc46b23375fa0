/// What one run produced: each requested output by its ONNX name, plus the manifest's role names
/// so callers can ask for "the logits" without knowing what the exporter called them.
public struct ModelOutputs: Sendable, Equatable {
    /// By ONNX output name.
    public let tensors: [String: Tensor]
    /// Role (`logits`, `embedding`, `detections`) to ONNX output name, from the model's spec.
    public let roles: [String: String]

    public init(tensors: [String: Tensor], roles: [String: String]) {
        self.tensors = tensors
        self.roles = roles
    }

    /// The output with this ONNX name.
    public subscript(name: String) -> Tensor? {
        tensors[name]
    }

    /// The output playing `role` in the manifest, if the model has one.
    public func tensor(forRole role: String) -> Tensor? {
        roles[role].flatMap { tensors[$0] }
    }

    /// `[N, num_classes]` class scores of a classifier (before softmax).
    public var logits: Tensor? { tensor(forRole: "logits") }

    /// `[N, embedding_dims]` pooled features of a classifier, for similarity search.
    public var embedding: Tensor? { tensor(forRole: "embedding") }

    /// The raw detection head of a detector (NudeNet: `[N, 22, 2100]`).
    public var detections: Tensor? { tensor(forRole: "detections") }
}
