/// An AWS access key pair, and the session token that comes with temporary credentials.
public struct S3Credentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optionally `AWS_SESSION_TOKEN`, the names
    /// every AWS tool reads, so the same shell or CI secrets work for Lenscale.
    public static func fromEnvironment(_ environment: [String: String]) throws(StorageError) -> S3Credentials {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard let accessKeyID = value("AWS_ACCESS_KEY_ID"), let secretAccessKey = value("AWS_SECRET_ACCESS_KEY") else {
            throw .invalidConfiguration("S3 needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                + "(and AWS_SESSION_TOKEN for temporary credentials)")
        }
        return S3Credentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: value("AWS_SESSION_TOKEN"))
    }

    /// Never prints the secret or the token, since configurations end up in logs.
    public var description: String {
        "\(accessKeyID) (secret hidden\(sessionToken == nil ? "" : ", with session token"))"
    }
}
