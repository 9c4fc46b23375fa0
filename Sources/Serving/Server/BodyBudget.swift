import Hummingbird
import Synchronization

/// The request-body bytes the whole server may hold at once.
///
/// Per-request limits alone let 100 concurrent 50 MB uploads take 5 GB; the budget is taken
/// before a body is collected (its Content-Length, or the route's limit when the length is not
/// declared) and given back when the answer is ready. When it is spent the request is answered
/// 503 with Retry-After at once rather than queued: a waiting upload still holds its socket and
/// the client can retry elsewhere.
public final class BodyBudget: Sendable {
    public let capacity: Int
    private let used = Mutex(0)

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Takes `bytes` if they fit now.
    public func tryAcquire(_ bytes: Int) -> Bool {
        used.withLock { used in
            guard bytes <= capacity - used else { return false }
            used += bytes
            return true
        }
    }

    public func release(_ bytes: Int) {
        used.withLock { $0 = max(0, $0 - bytes) }
    }

    public var inUse: Int { used.withLock { $0 } }
}

/// Reserves each upload's bytes in the `BodyBudget` for as long as its route runs.
struct BodyBudgetMiddleware<Context: RequestContext>: RouterMiddleware {
    let budget: BodyBudget
    let limits: ServeConfiguration.Limits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch].contains(request.method) else { return try await next(request, context) }
        let routeLimit = request.uri.path.hasPrefix("/v1/batches") ? limits.maxBatchBytes : limits.maxBodyBytes
        // A declared length over the route's limit is the route's 413; only what may be read is reserved.
        let declared = request.headers[.contentLength].flatMap { Int($0) }.map { max(0, $0) }
        let bytes = min(declared ?? routeLimit, routeLimit)
        guard bytes > 0 else { return try await next(request, context) }
        guard bytes <= budget.capacity else { throw APIError.tooLarge(limit: budget.capacity) }
        guard budget.tryAcquire(bytes) else {
            throw APIError(.serviceUnavailable, code: "busy",
                           message: "the server is holding as many upload bytes as it may (limits.max_inflight_bytes); retry", retryAfter: 1)
        }
        defer { budget.release(bytes) }
        return try await next(request, context)
    }
}
