import Foundation

extension S3Configuration {
    /// Parses `s3://bucket[/prefix][?endpoint=…&region=…&style=path|virtual&connect=host:port&timeout=seconds&deadline=seconds&attempts=n]`.
    ///
    /// Settings missing from the URL come from the environment the AWS tools use, so one
    /// `AWS_*` setup serves them and Lenscale alike: credentials from `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`; the endpoint from `AWS_ENDPOINT_URL_S3` or
    /// `AWS_ENDPOINT_URL`; the region from `AWS_REGION` or `AWS_DEFAULT_REGION`, else us-east-1.
    /// Unknown parameters are rejected rather than ignored, since a misspelt `endpoint` would
    /// otherwise silently send data to AWS.
    public init(url string: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StorageError) {
        guard let components = URLComponents(string: string), components.scheme?.lowercased() == "s3",
              let bucket = components.host, !bucket.isEmpty else {
            throw .invalidConfiguration("'\(string)' is not an S3 location: write s3://bucket/optional/prefix")
        }
        var settings: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard Self.urlParameters.contains(item.name) else {
                throw .invalidConfiguration("unknown parameter '\(item.name)' in '\(string)'; "
                    + "known: \(Self.urlParameters.sorted().joined(separator: ", "))")
            }
            settings[item.name] = item.value ?? ""
        }
        func env(_ names: String...) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        }

        var endpoint: URL?
        if let text = settings["endpoint"] ?? env("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL") {
            guard let url = URL(string: text) else { throw .invalidConfiguration("the endpoint '\(text)' is not a URL") }
            endpoint = url
        }
        var style: S3AddressingStyle?
        if let text = settings["style"] {
            guard let parsed = S3AddressingStyle(rawValue: text == "virtual-host" ? "virtual" : text) else {
                throw .invalidConfiguration("style must be 'path' or 'virtual', not '\(text)'")
            }
            style = parsed
        }
        // Finite and at most a day: `inf` or `1e300` would trap converting to milliseconds.
        func seconds(_ name: String, default fallback: Duration) throws(StorageError) -> Duration {
            guard let text = settings[name] else { return fallback }
            guard let seconds = Double(text), seconds > 0, seconds <= 86_400 else {
                throw .invalidConfiguration("\(name) must be a number of seconds within (0, 86400], not '\(text)'")
            }
            return .milliseconds(Int64(seconds * 1000))
        }
        let timeout = try seconds("timeout", default: .seconds(30))
        let deadline = try seconds("deadline", default: max(.seconds(60), timeout))
        var retry = RetryPolicy.standard
        if let text = settings["attempts"] {
            guard let attempts = Int(text), attempts >= 1 else {
                throw .invalidConfiguration("attempts must be a whole number of at least 1, not '\(text)'")
            }
            retry.maxAttempts = attempts
        }
        try self.init(
            bucket: bucket,
            keyPrefix: components.percentEncodedPath.removingPercentEncoding ?? components.path,
            endpoint: endpoint,
            region: settings["region"] ?? env("AWS_REGION", "AWS_DEFAULT_REGION") ?? "us-east-1",
            addressingStyle: style,
            credentials: try S3Credentials.fromEnvironment(environment),
            connectAddress: settings["connect"].flatMap { $0.isEmpty ? nil : $0 },
            requestTimeout: timeout,
            deadline: deadline,
            retryPolicy: retry
        )
    }

    static let urlParameters: Set<String> = ["endpoint", "region", "style", "connect", "timeout", "deadline", "attempts"]
}
