import AsyncHTTPClient
import Foundation

extension S3Store {
    /// Sends `request`, retrying transient failures under the configured `RetryPolicy`.
    ///
    /// Returns any answer that is not worth retrying, errors included, so each operation decides
    /// what its 404 or 412 means; throws only when no usable answer came back.
    func send(_ request: S3Request) async throws(StorageError) -> S3Response {
        // Through a local: passing the stored existential straight on does not open it here.
        let clock: any Clock<Duration> = self.clock
        return try await sendRetrying(request, on: clock)
    }

    /// `send` with the clock's type opened, so instants can be compared and added.
    private func sendRetrying<C: Clock<Duration>>(_ request: S3Request, on clock: C) async throws(StorageError) -> S3Response {
        let policy = configuration.retryPolicy
        var generator = SystemRandomNumberGenerator()
        let end = clock.now.advanced(by: configuration.deadline)
        var attempt = 1
        var lastResponse: S3Response?
        var lastError: StorageError?
        while true {
            var retryAfter: Duration?
            let reason: String
            let remaining = clock.now.duration(to: end)
            // A backoff sleep that overran the deadline (a loaded machine) ends the retries too.
            if attempt > 1, remaining <= .zero {
                if let lastError { throw lastError }
                return lastResponse!
            }
            do {
                let response = try await attemptOnce(request, timeout: min(configuration.requestTimeout, remaining), on: clock)
                guard Self.isRetryable(response), attempt < policy.maxAttempts else { return response }
                retryAfter = response.headers["retry-after"].flatMap { Int($0) }.map { .seconds($0) }
                reason = "HTTP \(response.status) \(response.error.code ?? "")"
                (lastResponse, lastError) = (response, nil)
            } catch {
                // Cut short by the deadline after a real answer: that answer says more.
                if case .timeout = error, let lastResponse, clock.now >= end { return lastResponse }
                guard error.isTransient, attempt < policy.maxAttempts else { throw error }
                reason = error.description
                (lastResponse, lastError) = (nil, error)
            }
            let delay = policy.delay(beforeRetry: attempt, retryAfter: retryAfter, using: &generator)
            // A retry that cannot finish before the deadline only makes the caller wait longer
            // for the same answer: give the last one now.
            if clock.now.advanced(by: delay) >= end {
                if let lastError { throw lastError }
                return lastResponse!
            }
            logger.debug("retrying S3 request", metadata: [
                "operation": "\(request.operation)", "attempt": "\(attempt)", "reason": "\(reason)", "delay": "\(delay)",
            ])
            do { try await clock.sleep(for: delay) } catch { throw .cancelled }
            attempt += 1
        }
    }

    /// Throttling and server-side failures, which S3 documents as safe to retry.
    static func isRetryable(_ response: S3Response) -> Bool {
        if response.status == 429 || (500...599).contains(response.status) && response.status != 501 { return true }
        guard response.status >= 400, let code = response.error.code else { return false }
        return ["SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling",
                "ThrottlingException", "ConditionalRequestConflict"].contains(code)
    }

    /// One signed attempt, raced against the request timeout.
    ///
    /// The race is a task group rather than only AsyncHTTPClient's deadline so the limit covers
    /// the whole exchange, body included, whatever the client does with its own deadline, and so
    /// it is measured on the store's clock. AsyncHTTPClient's own deadline, a second later on the
    /// wall clock, is only a backstop.
    func attemptOnce<C: Clock<Duration>>(_ request: S3Request, timeout: Duration, on clock: C) async throws(StorageError) -> S3Response {
        let httpRequest = makeHTTPRequest(request, date: Date())
        let client = httpClient
        let isHead = request.method == .head
        do {
            return try await withThrowingTaskGroup(of: S3Response.self) { group in
                group.addTask {
                    let response = try await client.execute(httpRequest, timeout: .nanoseconds(RetryPolicy.nanoseconds(timeout) + 1_000_000_000))
                    var headers: [String: String] = [:]
                    for (name, value) in response.headers where headers[name.lowercased()] == nil {
                        headers[name.lowercased()] = value
                    }
                    // HEAD answers announce a length but carry no body.
                    let body = isHead ? [] : Array(buffer: try await response.body.collect(upTo: Self.maximumBodySize))
                    return S3Response(status: Int(response.status.code), headers: headers, body: body)
                }
                group.addTask {
                    try await clock.sleep(for: timeout)
                    throw AttemptTimedOut()
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch {
            throw mapTransportError(error, operation: request.operation, timeout: timeout)
        }
    }

    func mapTransportError(_ error: any Error, operation: String, timeout: Duration) -> StorageError {
        let seconds = Double(RetryPolicy.nanoseconds(timeout)) / 1e9
        if Task.isCancelled || error is CancellationError { return .cancelled }
        if error is AttemptTimedOut { return .timeout(operation: operation, seconds: seconds) }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout:
                return .timeout(operation: operation, seconds: seconds)
            case .invalidURL, .emptyHost, .emptyScheme:
                return .invalidConfiguration("\(operation): the endpoint gives an invalid URL (\(error))")
            default:
                break
            }
        }
        return .transport(operation: operation, message: String(describing: error))
    }

    /// Signs `request` for `date` and turns it into an AsyncHTTPClient request.
    func makeHTTPRequest(_ request: S3Request, date: Date) -> HTTPClientRequest {
        let target = configuration.target(objectName: request.objectName, query: request.query)
        let timestamp = SigV4Signer.timestamp(date)
        var headers = request.headers
        headers["host"] = target.host
        headers["x-amz-date"] = timestamp
        headers["x-amz-content-sha256"] = request.payloadHash
        if let token = configuration.credentials.sessionToken { headers["x-amz-security-token"] = token }
        let authorization = signer.authorization(
            for: SigV4Signer.Request(method: request.method.rawValue, canonicalURI: target.canonicalURI,
                                     canonicalQuery: target.canonicalQuery, headers: headers, payloadHash: request.payloadHash),
            timestamp: timestamp)

        var http = HTTPClientRequest(url: target.url)
        switch request.method {
        case .get: http.method = .GET
        case .put: http.method = .PUT
        case .head: http.method = .HEAD
        case .delete: http.method = .DELETE
        }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { http.headers.add(name: name, value: value) }
        http.headers.add(name: "authorization", value: authorization)
        if let body = request.body { http.body = .bytes(body) }
        return http
    }
}

/// Thrown by the timer side of `attemptOnce`'s race.
struct AttemptTimedOut: Error {}

extension StorageError {
    /// Failures a later attempt may not repeat.
    var isTransient: Bool {
        switch self {
        case .timeout, .transport: return true
        default: return false
        }
    }
}
