/// A complete answer: status, headers with lowercased names, and the whole body.
struct S3Response: Sendable {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]

    var error: S3ErrorDocument { S3ErrorDocument(status >= 300 ? body : []) }

    /// The answer as a `StorageError.http`, with S3's code and message when the body has them.
    var storageError: StorageError {
        let document = error
        return .http(status: status, code: document.code, message: document.message)
    }
}
