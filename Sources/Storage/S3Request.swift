/// The HTTP methods the store uses; HEAD must stay distinct because its answer has no body.
enum S3Method: String, Sendable {
    case get = "GET", put = "PUT", head = "HEAD", delete = "DELETE"
}

/// One S3 call before signing; it is re-signed on every attempt because the signature embeds
/// the time.
struct S3Request: Sendable {
    var method: S3Method
    /// The object name in the bucket, or nil for bucket-level calls (listing).
    var objectName: String?
    var query: [(name: String, value: String)] = []
    /// Extra headers, signed along with `host` and the `x-amz-*` ones.
    var headers: [String: String] = [:]
    var body: [UInt8]?
    /// Hex SHA-256 of `body`, sent as `x-amz-content-sha256` so S3 rejects corrupted uploads.
    var payloadHash = SigV4Signer.emptyPayloadHash
    /// "PUT photos/a.jpg", for error messages and logs.
    var operation: String {
        "\(method.rawValue) \(objectName ?? "bucket listing")"
    }
}
