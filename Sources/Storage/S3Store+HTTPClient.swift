import AsyncHTTPClient

extension S3Store {
    /// How the HTTP client under an S3 store is set up; `withObjectStore` creates one per scope
    /// with it and shuts it down when the scope ends.
    ///
    /// It differs from AsyncHTTPClient's defaults in three settings, each for the retry and
    /// signing logic above it:
    /// - failed connections are not silently re-dialled until the connect timeout: our own
    ///   `RetryPolicy` retries them, so a wrong port fails in seconds with a clear
    ///   `StorageError.transport`, not after minutes of nested retries;
    /// - a 10 s connect timeout, shorter than any sensible request timeout;
    /// - redirects are refused: a signature is bound to its host, and S3 only redirects when
    ///   the region is wrong, which `StorageError.http` explains.
    public static var httpConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        configuration.redirectConfiguration = .disallow
        return configuration
    }
}
