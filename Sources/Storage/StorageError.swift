/// Why a storage operation failed.
///
/// Cases carry the key, path or HTTP details needed to act without a debugger; `description`
/// turns each into a sentence that ends with what to do.
public enum StorageError: Error, Sendable, Equatable {
    /// No object has this key.
    case notFound(String)
    /// The key breaks `ObjectKey`'s rules; `reason` says which.
    case invalidKey(key: String, reason: String)
    /// A content key was given bytes whose SHA-256 is `actual`: storing them would corrupt the
    /// content-addressed namespace.
    case contentMismatch(key: String, actual: String)
    /// A file-system call failed: `operation` is the POSIX call, `message` is `strerror`'s text.
    case io(path: String, operation: String, message: String)
    /// The disk (or the user's quota) under `path` is full: ENOSPC or EDQUOT from `operation`.
    /// Nothing was stored and no partial file is left; free space and retry.
    case storageFull(path: String, operation: String)
    /// The server answered with an error status. `code` and `message` come from S3's error XML.
    case http(status: Int, code: String?, message: String?)
    /// No answer within the request timeout, after every retry.
    case timeout(operation: String, seconds: Double)
    /// The connection failed (refused, reset, DNS, TLS) after every retry.
    case transport(operation: String, message: String)
    /// The server's answer could not be understood (malformed XML, missing fields).
    case invalidResponse(String)
    /// A store location, URL or credential setting is unusable.
    case invalidConfiguration(String)
    /// The task was cancelled before the operation finished; nothing is known about its effect.
    case cancelled
}

extension StorageError {
    /// True when the same call may succeed later without any change on the caller's side: the
    /// server or the network failed, or the disk filled up. Servers answer these with 503 (or 507
    /// for a full disk) and `Retry-After`, never with a 4xx that tells the client it erred.
    public var isRetryable: Bool {
        switch self {
        case .timeout, .transport, .storageFull, .cancelled: return true
        case .http(let status, _, _): return status == 429 || status >= 500
        case .notFound, .invalidKey, .contentMismatch, .io, .invalidResponse, .invalidConfiguration: return false
        }
    }
}
