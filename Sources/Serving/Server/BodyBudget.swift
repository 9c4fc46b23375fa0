import Hummingbird
import Synchronization

/// The request-body bytes the whole server may hold at once.
///
/// Per-request limits alone let 100 concurrent 50 MB uploads take 5 GB. The budget is taken as
/// body bytes arrive (`BodyReservation`), not from the declared length up front: a reservation
/// of the whole Content-Length let two clients that declare large bodies and then send a byte a
/// minute hold the budget for nothing, and every other upload was refused meanwhile. Bytes are
/// given back when the answer is ready. When the budget is spent the request is answered 503
/// with Retry-After at once rather than queued: a waiting upload still holds its socket and the
/// client can retry elsewhere.
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

/// The body bytes one request holds in the `BodyBudget`, taken chunk by chunk as they arrive.
final class BodyReservation: Sendable {
    let budget: BodyBudget
    private let held = Mutex(0)

    init(budget: BodyBudget) { self.budget = budget }

    /// Takes `bytes` more for this request if they fit now.
    func take(_ bytes: Int) -> Bool {
        guard budget.tryAcquire(bytes) else { return false }
        held.withLock { $0 += bytes }
        return true
    }

    /// Gives back everything this request took.
    func releaseAll() {
        let bytes = held.withLock { held in
            defer { held = 0 }
            return held
        }
        budget.release(bytes)
    }

    var bytes: Int { held.withLock { $0 } }
}

/// Gives each request with a body a `BodyReservation`, released when its route has answered.
/// A declared length no budget could ever hold is refused before a byte is read.
struct BodyBudgetMiddleware: RouterMiddleware {
    let budget: BodyBudget

    func handle(_ request: Request, context: ServingContext, next: (Request, ServingContext) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch].contains(request.method) else { return try await next(request, context) }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > budget.capacity {
            throw APIError.tooLarge(limit: budget.capacity)
        }
        let reservation = BodyReservation(budget: budget)
        var context = context
        context.body = reservation
        defer { reservation.releaseAll() }
        return try await next(request, context)
    }
}
