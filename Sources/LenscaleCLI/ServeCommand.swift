import ArgumentParser
import Composition
import Foundation
import Inference
import Logging
import Metrics
import Moderation
import Prometheus
import Serving
import ServiceLifecycle

/// `lenscale serve`: the HTTP API over the embedded defaults, or PostgreSQL and S3.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve classification, predictions by hash, batches and events over HTTP.",
        discussion: """
            Settings come from --config (YAML), then LENSCALE_* environment variables, then flags. \
            API keys are required: create one with `lenscale keys create --scope classify --scope read`. \
            --insecure-no-auth is for local development and is refused unless the server binds to loopback.
            """
    )

    @Option(help: ArgumentHelp("A YAML configuration file (see config/serve.yaml).", valueName: "file"))
    var config: String?

    @Option(help: "The address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "The port to listen on (default 8080; 0 picks a free one).")
    var port: Int?

    @Option(help: "A separate port for /healthz, /readyz and /metrics (no key): on 127.0.0.1 unless --metrics-host or the file's metrics.host says otherwise.")
    var metricsPort: Int?

    @Option(help: "The address of the metrics listener (default 127.0.0.1); 0.0.0.0 in a pod, so the kubelet's probes and Prometheus reach it.")
    var metricsHost: String?

    @Option(name: .customLong("model"), help: "A model to serve (repeat for several); default: the configuration's, else efficientnet-lite0.")
    var modelNames: [String] = []

    @Option(help: "Model threads (ONNX Runtime intra-op) for every model; default: the core count.")
    var threads: Int?

    @Flag(help: "Serve without API keys. Local development only: refused unless bound to loopback.")
    var insecureNoAuth = false

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var models: ModelOptions

    func resolvedConfiguration() throws -> ServeConfiguration {
        do throws(ConfigurationError) {
            var configuration = ServeConfiguration()
            if let config { configuration = try ServeConfiguration.load(path: config) }
            try configuration.applyEnvironment()
            if let host { configuration.listen.host = host }
            if let port { configuration.listen.port = port }
            if let metricsPort { configuration.metrics = .init(host: configuration.metrics?.host ?? "127.0.0.1", port: metricsPort) }
            if let metricsHost {
                guard configuration.metrics != nil else { throw ConfigurationError.invalid("--metrics-host needs --metrics-port (or metrics.port in the file)") }
                configuration.metrics?.host = metricsHost
            }
            if let data = workspace.data { configuration.data = data }
            if let catalog = workspace.catalog { configuration.catalog = catalog }
            if let store = workspace.store { configuration.store = store }
            if let directory = models.directory { configuration.modelsDirectory = directory }
            if !modelNames.isEmpty {
                configuration.models = modelNames.map { name in
                    configuration.models.first { $0.name == name } ?? .init(name: name)
                }
            }
            if let threads { for index in configuration.models.indices { configuration.models[index].threads = threads } }
            if insecureNoAuth { configuration.auth.insecureNoAuth = true }
            try configuration.validate()
            return configuration
        } catch {
            throw CLIError("\(error)")
        }
    }

    func run() async throws {
        let configuration = try resolvedConfiguration()
        let manifestURL = configuration.modelsDirectory.map { URL(fileURLWithPath: $0).appendingPathComponent("models.json") }
            ?? ModelManifest.defaultURL()
        let manifest: ModelManifest
        do { manifest = try ModelManifest.load(from: manifestURL) } catch { throw CLIError("\(error)") }

        // One registry for the server's metrics and for everything that reports through
        // swift-metrics (the job queue, the workers), so /metrics shows both.
        let metrics = ServingMetrics()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        var logger = Logger(label: "lenscale.serve")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info

        let inference = try ModelLoader.inference(manifest)
        do { try configuration.validate() } catch { throw CLIError("\(error)") }
        if configuration.auth.insecureNoAuth {
            Terminal.error("lenscale serve: WARNING: --insecure-no-auth: every request is treated as admin; loopback only\n")
        }
        // The workspace's scope holds the catalog (and a PostgreSQL pool) for the server's life;
        // the service group runs inside it, so connections close only after the drain.
        try await CLIScope.workspace(configuration.workspaceLocation) { workspace in
            let runtime = try await ServingRuntime.open(configuration, workspace: workspace, manifest: manifest, inference: inference,
                                                        metrics: metrics, logger: logger)
            do {
                let graph = try await ServerGraph.build(runtime: runtime, manifest: manifest, inference: inference,
                                                        policyFile: ModerationSetup.policyFile())
                if let moderation = graph.moderation {
                    logger.info("moderation: policy \(moderation.setup.cascade.policy.id) from \(moderation.setup.policyFile.path)")
                }
                let application = graph.application(onServerRunning: { port in
                    Terminal.output("lenscale serve: listening on http://\(configuration.listen.host):\(port)\n")
                })
                // Our own group rather than `runService()`, for a bounded drain: after the grace
                // period whatever still runs is cancelled, so SIGTERM always ends the process.
                var group = ServiceGroupConfiguration(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
                group.maximumGracefulShutdownDuration = configuration.shutdownGrace
                group.maximumCancellationDuration = .seconds(5)
                do {
                    try await ServiceGroup(configuration: group).run()
                } catch {
                    throw CLIError("the server stopped: \(error)")
                }
            } catch {
                await runtime.close()
                throw error
            }
            await runtime.close()
        }
    }
}
