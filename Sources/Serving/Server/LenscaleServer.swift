import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import ServiceLifecycle

/// Builds the HTTP application of `lenscale serve` over a `ServingRuntime`.
public enum LenscaleServer {
    /// Route groups added beside the built-in ones (batches and events, review), so features
    /// living in other files plug in without this function knowing them.
    public typealias RouteGroup = @Sendable (Router<ServingContext>) -> Void

    /// The router with every route and middleware; what tests drive directly.
    /// - Parameter moderation: `?moderate=true` and the review routes; without it the classify
    ///   route answers `moderate=true` with 501 and the review routes are absent.
    public static func router(_ runtime: ServingRuntime, moderation: ModerationServices? = nil, extraRoutes: [RouteGroup] = [],
                              metricsNeedAdmin: Bool = true) -> Router<ServingContext> {
        let router = Router(context: ServingContext.self)
        let routes = RouteTable()
        router.addMiddleware {
            RequestMetricsMiddleware(metrics: runtime.metrics)
            ErrorMiddleware(metrics: runtime.metrics, routes: routes)
            APIKeyAuthenticator(keys: VerifiedKeys(store: runtime.keys), insecureNoAuth: runtime.configuration.auth.insecureNoAuth,
                                clients: ClientAddress(trustedProxies: runtime.configuration.auth.trustedProxies))
            BodyBudgetMiddleware(budget: runtime.bodyBudget, deadline: runtime.configuration.limits.bodyDeadline, clock: runtime.clock)
        }
        OperationsRoutes(readiness: runtime.readiness, metrics: runtime.metrics, metricsNeedAdmin: metricsNeedAdmin).add(to: router)
        DocumentRoutes().add(to: router)
        PredictionRoutes(service: runtime.service, limits: runtime.configuration.limits, readiness: runtime.readiness,
                         moderation: moderation?.online).add(to: router)
        moderation?.add(to: router)
        for group in extraRoutes { group(router) }
        routes.load(router)
        return router
    }

    /// The application: the main listener, the optional metrics listener, and the background
    /// services (batchers, the catalog writer, warm-up, and `extraServices` such as a worker).
    /// Stops gracefully on SIGTERM and SIGINT when run with `runService()`.
    public static func application(
        _ runtime: ServingRuntime, moderation: ModerationServices? = nil, extraRoutes: [RouteGroup] = [], extraServices: [any Service] = [],
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let configuration = runtime.configuration
        var services: [any Service] = runtime.service.endpoints.values.map { endpoint in
            BackgroundService(name: "batcher \(endpoint.name)") { await endpoint.batcher.run() }
        }
        services.append(DrainingService(name: "catalog writer", run: { await runtime.service.writeBehind.run() },
                                        stop: { await runtime.service.writeBehind.stop() }))
        services.append(BackgroundService(name: "warm-up", endsWhenDone: true) {
            do {
                try await runtime.warmUp()
            } catch {
                runtime.logger.error("warm-up failed, /readyz stays false: \(error)")
            }
        })
        let probe = ReadinessProbe(catalog: runtime.workspace.catalog, store: runtime.workspace.store,
                                   interval: configuration.readiness.probeInterval, timeout: configuration.readiness.probeTimeout,
                                   logger: runtime.logger)
        services.append(BackgroundService(name: "readiness probe") { await probe.run(updating: runtime.readiness) })
        services += extraServices
        if let metricsAddress = configuration.metrics {
            services.append(operationsListener(metrics: runtime.metrics, readiness: runtime.readiness, address: metricsAddress,
                                               logger: runtime.logger))
        }
        return Application(
            router: router(runtime, moderation: moderation, extraRoutes: extraRoutes, metricsNeedAdmin: true),
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.limits.idleTimeoutSeconds)))),
            // Past `maxConnections` the listener stops accepting (the kernel's backlog holds the
            // rest) until one closes: each connection is a socket and buffers, so an unbounded
            // number lets one client run the process out of descriptors.
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.listen.host, port: configuration.listen.port), serverName: "lenscale",
                availableConnectionsDelegate: runtime.connections.delegate),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.listen.port) },
            logger: runtime.logger)
    }
}

/// A long-running task as a ServiceLifecycle service: cancelled on graceful shutdown. With
/// `endsWhenDone` it may finish early (warm-up) without the group treating that as a failure.
public struct BackgroundService: Service, CustomStringConvertible {
    let name: String
    var endsWhenDone = false
    let body: @Sendable () async -> Void

    public init(name: String, endsWhenDone: Bool = false, _ body: @escaping @Sendable () async -> Void) {
        self.name = name
        self.endsWhenDone = endsWhenDone
        self.body = body
    }

    public var description: String { name }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await body() }
        if endsWhenDone {
            // Stay up until shutdown: a ServiceGroup ends when any service returns.
            try? await gracefulShutdown()
        }
    }
}

/// A service that finishes its work on shutdown instead of being cancelled: `stop` asks it to
/// drain, and `run` returns when it has.
struct DrainingService: Service, CustomStringConvertible {
    let name: String
    let run: @Sendable () async -> Void
    let stop: @Sendable () async -> Void

    var description: String { name }

    func run() async throws {
        let stop = self.stop
        await withGracefulShutdownHandler {
            await run()
        } onGracefulShutdown: {
            Task { await stop() }
        }
    }
}
