import Hummingbird
import Logging
import ServiceLifecycle

extension LenscaleServer {
    /// The operations listener: `/healthz`, `/readyz` and `/metrics` with no key, on an address
    /// of their own, for the kubelet's probes and Prometheus. `serve --metrics-port` and
    /// `worker --metrics-port` run the same one, so a scale-out worker's queue and job metrics
    /// are scraped like the server's.
    public static func operationsListener(
        metrics: ServingMetrics, readiness: Readiness, address: ServeConfiguration.Address, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some Service {
        let router = Router(context: ServingContext.self)
        router.addMiddleware { ErrorMiddleware(metrics: metrics) }
        OperationsRoutes(readiness: readiness, metrics: metrics, metricsNeedAdmin: false).add(to: router)
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: "lenscale-metrics"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? address.port) },
            logger: logger)
    }
}
