import Classification
import ImageDecoding

extension APIError {
    /// The answer for a failure of the classify path: what the client sent (4xx) or how loaded
    /// the server is (429, 503). Anything else is rethrown for the error middleware's 500.
    static func mapping(_ error: any Error) -> (any Error) {
        switch error {
        case let error as APIError: return error
        case let error as ClassificationError: return classification(error)
        case let error as BatcherError:
            switch error {
            case .overloaded: return APIError.overloaded(retryAfter: 1)
            case .timedOut: return APIError(.serviceUnavailable, code: "timeout", message: "the model did not get to this request in time; retry", retryAfter: 1)
            case .stopped: return APIError(.serviceUnavailable, code: "shutting_down", message: "the server is shutting down; retry on another replica", retryAfter: 1)
            }
        default: return error
        }
    }

    static func classification(_ error: ClassificationError) -> APIError {
        switch error {
        case .decode(let decode):
            switch decode {
            case .tooManyBytes(_, let limit): return .tooLarge(limit: limit)
            case .notAnImage, .unsupportedFormat:
                return APIError(.unsupportedMediaType, code: decode.code, message: "\(decode.description); send a JPEG, PNG or WebP image")
            default: return .undecodable(decode.code, decode.description)
            }
        case .unreadable(_, let reason): return .undecodable("unreadable", reason)
        case .inference(let inference):
            return APIError(.internalServerError, code: "inference_failed", message: "the model failed on this image", detail: "\(inference)")
        case .unsupportedModel(let reason):
            return APIError(.internalServerError, code: "unsupported_model", message: "the model cannot serve this request", detail: reason)
        }
    }
}
