import ImageDecoding
import Inference

/// Why one image, or a whole classification run, failed.
public enum ClassificationError: Error, Sendable, CustomStringConvertible {
    /// The file could not be read from disk.
    case unreadable(path: String, reason: String)
    /// The bytes are not an image we can decode; see `DecodeError`.
    case decode(DecodeError)
    /// The model failed; see `InferenceError`.
    case inference(InferenceError)
    /// The manifest entry cannot be used for classification.
    case unsupportedModel(String)

    public var description: String {
        switch self {
        case .unreadable(_, let reason): return "cannot read the file: \(reason)"
        case .decode(let error): return error.description
        case .inference(let error): return error.description
        case .unsupportedModel(let reason): return "unsupported model: \(reason)"
        }
    }

    /// A stable machine-readable code for JSON output and metrics.
    public var code: String {
        switch self {
        case .unreadable: return "unreadable"
        case .decode(let error): return error.code
        case .inference(let error): return error.code
        case .unsupportedModel: return "unsupported_model"
        }
    }
}
