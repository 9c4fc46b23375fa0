import Hummingbird

/// Records every answer's latency by route pattern, status and cache status.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServingMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.request(route: context.endpointPath ?? "unmatched", status: Int(response.status.code),
                            cache: response.headers[.cacheStatus] ?? "none", duration: ContinuousClock.now - started)
            return response
        } catch let error as HTTPResponseError {
            metrics.request(route: context.endpointPath ?? "unmatched", status: Int(error.status.code), cache: "none",
                            duration: ContinuousClock.now - started)
            throw error
        }
    }
}
