import Hummingbird

/// Turns every error that escapes a route into the API's JSON error shape.
///
/// Hummingbird's own errors (no route, body over the limit, a bad URI) come as `HTTPError`; they
/// are re-spoken with a stable code. Anything else is a bug on our side: logged, and answered
/// with a 500 that leaks no internals. Either way the server keeps serving.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServingMetrics
    /// What the router serves, to tell a wrong method (405) from a wrong path (404).
    var routes: RouteTable?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            metrics.recordError(code: error.code)
            if let detail = error.detail { context.logger.error("\(error.code): \(detail)") }
            throw error
        } catch let error as HTTPError {
            var translated = Self.translate(error)
            if error.status == .notFound, let allowed = routes?.methods(at: request.uri.path), !allowed.contains(request.method.rawValue) {
                let allow = allowed.sorted().joined(separator: ", ")
                translated = APIError(.methodNotAllowed, code: "method_not_allowed",
                                      message: "\(request.method) is not served at this path; it takes \(allow)")
                translated.headers[.allow] = allow
            }
            metrics.recordError(code: translated.code)
            throw translated
        } catch is CancellationError {
            metrics.recordError(code: "cancelled")
            throw APIError(.init(code: 499, reasonPhrase: "Client Closed Request"), code: "cancelled", message: "the request was cancelled")
        } catch {
            context.logger.error("unhandled error: \(error)")
            metrics.recordError(code: "internal")
            throw APIError(.internalServerError, code: "internal", message: "an internal error occurred; the server logged it")
        }
    }

    static func translate(_ error: HTTPError) -> APIError {
        let message = error.body ?? error.status.reasonPhrase
        switch error.status {
        case .notFound: return APIError(.notFound, code: "not_found", message: "no such route; see /openapi.yaml")
        case .methodNotAllowed: return APIError(.methodNotAllowed, code: "method_not_allowed", message: message)
        case .contentTooLarge: return APIError(.contentTooLarge, code: "too_large", message: "the body is larger than this server accepts")
        case .unauthorized: return .unauthenticated
        default:
            return APIError(error.status, code: error.status.code < 500 ? "bad_request" : "internal", message: message)
        }
    }
}
