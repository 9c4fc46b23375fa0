import AsyncHTTPClient
import Storage

/// HTTP clients shared by the test process, set up as the production scopes set theirs up:
/// tests build stores directly, outside `withObjectStore`, and a client per test would cost each
/// one a shutdown to await.
public enum TestHTTP {
    /// Configured as an S3 store's (`S3Store.httpConfiguration`: no silent reconnects, no redirects).
    public static let s3 = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: S3Store.httpConfiguration)
}
