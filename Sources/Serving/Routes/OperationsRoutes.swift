import Foundation
import Hummingbird

/// `/healthz`, `/readyz` and `/metrics`: on the main port, and on the metrics port when one is
/// configured. On the main port /metrics needs the admin scope, because it reveals traffic.
struct OperationsRoutes: Sendable {
    let readiness: Readiness
    let metrics: ServingMetrics
    let metricsNeedAdmin: Bool

    func add(to router: Router<ServingContext>) {
        router.get("/healthz") { _, _ in Self.text("ok\n") }
        router.get("/readyz") { _, _ in
            if let reason = readiness.unavailableReason {
                throw APIError(.serviceUnavailable, code: "not_ready", message: "not ready: \(reason)", retryAfter: 1)
            }
            return Self.text("ready\n")
        }
        router.get("/metrics") { _, context in
            if metricsNeedAdmin { try context.require(.admin) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
    }

    static func text(_ body: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
