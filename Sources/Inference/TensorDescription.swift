import CONNXRuntime

/// An input or output of an ONNX graph as ORT reports it: name, element type and shape.
///
/// Read once at session creation to check the manifest against the real graph, and kept so tools
/// can print what a model expects.
public struct TensorDescription: Sendable, Equatable {
    public let name: String
    /// ONNX's element type number (1 is float32); nil when the value is not a tensor at all.
    public let elementType: Int32?
    /// Dimensions, -1 for dynamic ones (the batch size of our models).
    public let shape: [Int]

    public var isFloat32: Bool {
        elementType == Int32(bitPattern: ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT.rawValue)
    }

    /// `float32[N, 3, 224, 224]`, for messages.
    public var summary: String {
        let names = [
            "undefined", "float32", "uint8", "int8", "uint16", "int16", "int32", "int64", "string", "bool",
            "float16", "float64",
        ]
        let type = elementType.map { names.indices.contains(Int($0)) ? names[Int($0)] : "type \($0)" } ?? "non-tensor"
        return type + InferenceError.format(shape)
    }
}
