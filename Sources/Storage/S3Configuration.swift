import Foundation

/// Everything an `S3Store` needs to address and sign requests; usually parsed from an
/// `s3://bucket/prefix?…` URL by `S3Configuration(url:environment:)`.
public struct S3Configuration: Sendable, Equatable {
    public var bucket: String
    /// Folder inside the bucket that holds this store's keys, without slashes at either end;
    /// empty for the whole bucket. Lets several stores (or tenants) share one bucket.
    public var keyPrefix: String
    /// Scheme, host and port of the S3 API, without a path.
    public var endpoint: URL
    public var region: String
    public var addressingStyle: S3AddressingStyle
    public var credentials: S3Credentials
    /// Dial this `host:port` instead of the endpoint's own address, keeping the `Host` header
    /// (like curl's `--connect-to`). For virtual-host buckets on servers whose names do not
    /// resolve, such as `bucket.localhost`; with https the certificate must match this address.
    public var connectAddress: String?
    /// The longest one attempt may take, body included, before it counts as timed out.
    public var requestTimeout: Duration
    /// The most one operation may take, every retry and backoff included: what bounds how long
    /// a caller waits on an S3 endpoint that is down or never answers. Each attempt gets at most
    /// what is left of it, and no retry starts that could not finish before it.
    public var deadline: Duration
    public var retryPolicy: RetryPolicy

    public init(bucket: String, keyPrefix: String = "", endpoint: URL? = nil, region: String = "us-east-1",
                addressingStyle: S3AddressingStyle? = nil, credentials: S3Credentials, connectAddress: String? = nil,
                requestTimeout: Duration = .seconds(30), deadline: Duration = .seconds(60),
                retryPolicy: RetryPolicy = .standard) throws(StorageError) {
        try Self.validate(bucket: bucket)
        let prefix = keyPrefix.split(separator: "/", omittingEmptySubsequences: false)
            .drop { $0.isEmpty }.reversed().drop { $0.isEmpty }.reversed().joined(separator: "/")
        if !prefix.isEmpty {
            do { try ObjectKey.validate(prefix) } catch {
                throw .invalidConfiguration("the key prefix '\(keyPrefix)' is not a valid key path: \(error)")
            }
        }
        let endpoint = endpoint ?? URL(string: "https://s3.\(region).amazonaws.com")!
        guard let scheme = endpoint.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = endpoint.host, !host.isEmpty, endpoint.path.isEmpty || endpoint.path == "/" else {
            throw .invalidConfiguration("the S3 endpoint '\(endpoint.absoluteString)' must be http(s)://host[:port] with no path")
        }
        guard requestTimeout > .zero else { throw .invalidConfiguration("the request timeout must be positive") }
        guard deadline > .zero else { throw .invalidConfiguration("the operation deadline must be positive") }
        self.bucket = bucket
        self.keyPrefix = prefix
        self.endpoint = endpoint
        self.region = region
        // AWS's own endpoints get the style AWS recommends; anything else most likely is a
        // self-hosted server, where path style is the one that always works.
        self.addressingStyle = addressingStyle ?? (host.hasSuffix(".amazonaws.com") ? .virtualHost : .path)
        self.credentials = credentials
        self.connectAddress = connectAddress
        self.requestTimeout = requestTimeout
        self.deadline = deadline
        self.retryPolicy = retryPolicy
    }

    /// S3's bucket naming rules, checked here because a bad name otherwise fails later as a
    /// confusing DNS or signature error.
    static func validate(bucket: String) throws(StorageError) {
        let allowed = bucket.utf8.allSatisfy {
            (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
        }
        guard (3...63).contains(bucket.utf8.count), allowed,
              let first = bucket.utf8.first, let last = bucket.utf8.last,
              first != UInt8(ascii: "-"), first != UInt8(ascii: "."), last != UInt8(ascii: "-"), last != UInt8(ascii: ".") else {
            throw .invalidConfiguration("'\(bucket)' is not a valid S3 bucket name: use 3 to 63 lowercase letters, "
                + "digits, '-' and '.', starting and ending with a letter or digit")
        }
    }
}
