import Classification
import Hummingbird
import ImageDecoding
import Storage
import Submissions

extension APIError {
    /// The answer for a failure of the classify path: what the client sent (4xx) or how loaded
    /// the server is (429, 503). Anything else is rethrown for the error middleware's 500.
    static func mapping(_ error: any Error) -> (any Error) {
        switch error {
        case let error as APIError: return error
        case let error as ClassificationError: return classification(error)
        case let error as StorageError: return storage(error)
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
                return APIError(.unsupportedMediaType, code: decode.code, message: decode.description)
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

extension APIError {
    /// A full disk: 507, which tells clients and load balancers the fault is this replica's
    /// storage, not their request, and that it clears when space is freed.
    public static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")

    /// The answer for a failure of the object store. Faults that clear by themselves (S3 down,
    /// slow or overloaded; the disk full) become 503 or 507 with `Retry-After`, so clients retry
    /// and load balancers try another replica; anything else is a server-side bug or
    /// misconfiguration, a 500 whose message says what to fix.
    public static func storage(_ error: StorageError) -> APIError {
        switch error {
        case .storageFull:
            return APIError(insufficientStorage, code: "storage_full",
                            message: "the server's disk is full; nothing was stored, retry later", retryAfter: 30)
        case _ where error.isRetryable:
            return APIError(.serviceUnavailable, code: "storage_unavailable",
                            message: "the object store is unavailable; nothing was stored, retry", retryAfter: 5, detail: "\(error)")
        default:
            return APIError(.internalServerError, code: "storage_failed", message: "the object store failed", detail: "\(error)")
        }
    }

    /// The answer for a refused batch: the client's fault (400), or the store's or the queue's
    /// (503/507, retry the whole batch: nothing was enqueued).
    static func submission(_ error: BatchSubmissionError) -> APIError {
        if case .queue(.catalog(.storageFull)) = error {
            return APIError(insufficientStorage, code: "storage_full",
                            message: "the catalog's disk is full; nothing was enqueued, retry later", retryAfter: 30, detail: error.description)
        }
        if case .storage(let name, let storage) = error, storage.isRetryable {
            var answer = APIError.storage(storage)
            answer.message = "cannot store \(name): \(answer.message); nothing was enqueued"
            return answer
        }
        return error.isTransient ? APIError.unavailable("object store or queue", detail: error.description)
            : APIError.badRequest("bad_batch", error.description)
    }
}
