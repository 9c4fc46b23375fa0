import AsyncHTTPClient
import Logging

/// An `ObjectStore` in an S3 bucket (AWS, MinIO, Ceph, moto, …), spoken to directly over HTTP.
///
/// Requests are signed with our own SigV4 (`SigV4Signer`), retried with jittered exponential
/// backoff on 5xx, 429/SlowDown, timeouts and connection failures (`RetryPolicy`), and bounded
/// by `S3Configuration.requestTimeout` per attempt. `put` asks with HEAD first and then writes
/// with `If-None-Match: *`, so a duplicate photo costs one small request instead of an upload,
/// and two racing uploads of one key cannot overwrite each other.
public struct S3Store: ObjectStore {
    public let configuration: S3Configuration
    let httpClient: HTTPClient
    let logger: Logger
    /// Times attempts, backoff and the operation deadline; injected so tests advance it.
    let clock: any Clock<Duration>

    /// - Parameter httpClient: set up with `S3Store.httpConfiguration`; it stays the caller's,
    ///   to shut down after the store's last request (`withObjectStore` does both).
    /// - Parameter clock: what the per-attempt timeout, the backoff between attempts and the
    ///   operation's deadline are measured on.
    public init(configuration: S3Configuration, httpClient: HTTPClient,
                logger: Logger = Logger(label: "lenscale.storage.s3"), clock: any Clock<Duration> = ContinuousClock()) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        self.clock = clock
    }

    var signer: SigV4Signer {
        SigV4Signer(credentials: configuration.credentials, region: configuration.region)
    }

    /// S3's largest single PUT; anything bigger in a response is not an object we wrote.
    static let maximumBodySize = 5 * 1024 * 1024 * 1024
}
