import AsyncHTTPClient

extension S3Store {
    /// The client S3 stores use unless given one. It is created on first use, lives as long as
    /// the process and is never shut down, so no caller has to manage it.
    ///
    /// It differs from `HTTPClient.shared` in three settings, each for the retry and signing
    /// logic above it:
    /// - failed connections are not silently re-dialled until the connect timeout: our own
    ///   `RetryPolicy` retries them, so a wrong port fails in seconds with a clear
    ///   `StorageError.transport`, not after minutes of nested retries;
    /// - a 10 s connect timeout, shorter than any sensible request timeout;
    /// - redirects are refused: a signature is bound to its host, and S3 only redirects when
    ///   the region is wrong, which `StorageError.http` explains.
    public static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
