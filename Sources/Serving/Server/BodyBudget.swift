import Clocks
import Hummingbird
import NIOCore
import NIOHTTPTypes
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

/// The body bytes one request holds in the `BodyBudget`, taken chunk by chunk as they arrive
/// and given back as soon as they are no longer held (a multipart part once stored), and the
/// time the whole body must arrive by.
///
/// Why a deadline on the whole body: the connection's idle timeout ends a client that sends
/// nothing, but not one that sends a byte just inside it, which can hold a connection and its
/// bytes for hours. The deadline is checked as chunks arrive; a client that stops sending is
/// then ended by the idle timeout, so no body outlives deadline + idle timeout.
///
/// It also answers `Expect: 100-continue`, when the route first reads the body. curl asks for it
/// on every upload over 1 KiB (1 MiB from curl 8) and, without an answer, waits a second before
/// sending: each `curl --data-binary @photo.jpg` took 1.0 s instead of 4 ms. Answering only once
/// a route reads means a request refused first (no key, a declared length over the limit, the
/// budget spent) is answered before its client sends a byte of the body.
final class BodyReservation: Sendable {
    let budget: BodyBudget
    let deadline: Duration
    /// Time since the request began, on the server's clock.
    private let elapsed: @Sendable () -> Duration
    private let held = Mutex(0)
    /// Sends the interim `100 Continue`; nil when the client did not ask for one.
    private let sendContinue: (@Sendable () async -> Void)?
    private let reading = Mutex(false)

    init(budget: BodyBudget, deadline: Duration, clock: some Clock<Duration>,
         sendContinue: (@Sendable () async -> Void)? = nil) {
        self.budget = budget
        self.deadline = deadline
        self.elapsed = Stopwatch.start(on: clock)
        self.sendContinue = sendContinue
    }

    /// Called before the first byte of the body is read: tells a client waiting on
    /// `Expect: 100-continue` to send it (once).
    func beginReading() async {
        let first = reading.withLock { reading in
            defer { reading = true }
            return !reading
        }
        if first, let sendContinue { await sendContinue() }
    }

    /// Whether a route has begun to read the body.
    var hasBegunReading: Bool { reading.withLock { $0 } }

    /// Refuses (503) a body whose declared length the budget has no room for now, before any of
    /// it is read: it would be refused part-way anyway, after its client had sent megabytes and
    /// the server had copied and hashed them. Nothing is reserved (see the type's doc).
    func admit(declaredLength: Int?) throws(APIError) {
        guard let declaredLength, declaredLength > budget.capacity - budget.inUse else { return }
        throw Self.busy
    }

    private static let busy = APIError(.serviceUnavailable, code: "busy",
                                       message: "the server is holding as many upload bytes as it may (limits.max_inflight_bytes); retry",
                                       retryAfter: 1)

    /// Takes `bytes` more for this request: 503 when the budget is spent, 408 past the deadline.
    func take(_ bytes: Int) throws(APIError) {
        guard elapsed() <= deadline else {
            throw APIError(.requestTimeout, code: "body_too_slow",
                           message: "the body did not arrive within \(deadline) (limits.body_deadline_s); send it faster or in smaller requests")
        }
        guard budget.tryAcquire(bytes) else { throw Self.busy }
        held.withLock { $0 += bytes }
    }

    /// Gives back `bytes` this request no longer holds.
    func give(_ bytes: Int) {
        let given = held.withLock { held in
            let given = min(max(0, bytes), held)
            held -= given
            return given
        }
        budget.release(given)
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
/// A declared length over the budget is not refused here: a form's images are stored as they
/// arrive, so a batch can be larger than the budget; each route refuses lengths over its own limit.
struct BodyBudgetMiddleware: RouterMiddleware {
    let budget: BodyBudget
    /// How long a whole body may take to arrive (`limits.body_deadline_s`).
    let deadline: Duration
    let clock: any Clock<Duration>

    func handle(_ request: Request, context: ServingContext, next: (Request, ServingContext) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch].contains(request.method) else { return try await next(request, context) }
        let reservation = BodyReservation(budget: budget, deadline: deadline, clock: clock,
                                          sendContinue: Self.continueSender(for: request, channel: context.channel))
        var context = context
        context.body = reservation
        defer { reservation.releaseAll() }
        return try await next(request, context)
    }

    /// Writes `100 Continue` on the connection when the request expects it. Written on the
    /// channel beside the response writer, which the final answer owns: an interim head is
    /// passed through by the HTTP/1 encoder and leaves the connection's state as it was. A failed
    /// write only means the client sends after its own timeout, so it is not an error here.
    static func continueSender(for request: Request, channel: (any Channel)?) -> (@Sendable () async -> Void)? {
        guard let channel, request.headers[.expect]?.lowercased() == "100-continue" else { return nil }
        return {
            try? await channel.writeAndFlush(HTTPResponsePart.head(HTTPResponse(status: .continue)))
        }
    }
}
