extension StorageError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notFound(let key):
            return "no object with key '\(key)': check the key, or put the object first"
        case .invalidKey(let key, let reason):
            return "invalid object key '\(key.debugDescription.dropFirst().dropLast())': \(reason); "
                + "use a relative path of safe segments such as 'photos/2024/a.jpg' or a 64-digit SHA-256"
        case .contentMismatch(let key, let actual):
            return "bytes do not match content key '\(key)' (their SHA-256 is \(actual)): "
                + "store them under their own hash, or use a key that is not 64 hex digits"
        case .io(let path, let operation, let message):
            return "\(operation) failed for \(path): \(message); check that the store folder exists, "
                + "is writable by this user and its disk is not full"
        case .storageFull(let path, let operation):
            return "\(operation) failed for \(path): no space left on the device; nothing was stored and no "
                + "partial file is left: free disk space (or raise the quota) and retry"
        case .http(let status, let code, let message):
            let detail = [code, message].compactMap { $0 }.joined(separator: ": ")
            return "storage server answered HTTP \(status)\(detail.isEmpty ? "" : " (\(detail))"); "
                + Self.advice(status: status, code: code)
        case .timeout(let operation, let seconds):
            return "\(operation) got no answer within \(seconds) s after every retry: "
                + "check the endpoint is up and reachable, or raise timeout= in the store URL"
        case .transport(let operation, let message):
            return "\(operation) could not reach the storage server (\(message)) after every retry: "
                + "check the endpoint URL, that the server is running, and the network"
        case .invalidResponse(let message):
            return "the storage server's answer could not be read (\(message)): "
                + "check the endpoint really is S3-compatible"
        case .invalidConfiguration(let message):
            return "invalid storage configuration: \(message)"
        case .cancelled:
            return "the storage operation was cancelled; retry it, it is safe to repeat"
        }
    }

    /// The usual cause of each S3 failure, because the raw status rarely says what to change.
    static func advice(status: Int, code: String?) -> String {
        switch (status, code) {
        case (_, "SignatureDoesNotMatch"):
            return "check AWS_SECRET_ACCESS_KEY and the region, and that no proxy rewrites the request"
        case (_, "InvalidAccessKeyId"), (_, "InvalidToken"), (_, "ExpiredToken"):
            return "check AWS_ACCESS_KEY_ID and AWS_SESSION_TOKEN are current"
        case (_, "NoSuchBucket"):
            return "create the bucket or fix its name in the store URL"
        case (301, _), (_, "PermanentRedirect"), (_, "AuthorizationHeaderMalformed"):
            return "the bucket is in another region: set region= in the store URL or AWS_REGION"
        case (403, _):
            return "check the credentials are right (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and allowed to use this bucket"
        case (429, _), (500..., _):
            return "the server is overloaded or failing; retry later"
        default:
            return "see the code and message above"
        }
    }
}
