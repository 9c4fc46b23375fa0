/// How the bucket is named in a request.
public enum S3AddressingStyle: String, Sendable, Equatable {
    /// `http://endpoint/bucket/key`: what MinIO, moto and most self-hosted servers expect, and
    /// the only style that works with an IP-address endpoint.
    case path
    /// `https://bucket.endpoint/key`: what AWS recommends (and requires for new features).
    /// Over https, a bucket name with dots does not match the endpoint's wildcard certificate;
    /// use path style for those.
    case virtualHost = "virtual"
}
