import ImageDecoding
import Inference

/// Why the detector could not score an image; each message says what to do.
public enum DetectorError: Error, Sendable, CustomStringConvertible {
    case decode(DecodeError)
    case inference(String)
    case unexpectedOutput(shape: [Int], classes: Int)
    case unsupportedModel(String)

    public var description: String {
        switch self {
        case .decode(let error):
            "cannot decode the image: \(error)"
        case .inference(let reason):
            "the detector failed: \(reason)"
        case .unexpectedOutput(let shape, let classes):
            "the detector's output has shape \(shape), not [4 + \(classes), N]; the model file does not match its "
                + "labels: re-run `make setup` or fix models.json"
        case .unsupportedModel(let reason):
            "cannot use this model as the moderation detector: \(reason)"
        }
    }
}
