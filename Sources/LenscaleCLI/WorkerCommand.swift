import ArgumentParser
import Classification
import Composition
import Foundation
import ImageDecoding
import Ingest
import Jobs
import Logging
import Metrics
import Moderation
import Prometheus
import Serving
import ServiceLifecycle
import Workers

/// `lenscale worker`: runs queued jobs (classification, embedding, perceptual hash, duplicate
/// lookup) until SIGTERM or SIGINT. Run any number, on any hosts that reach the same catalog and
/// store; a stopped worker finishes and records the jobs in hand first.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run queued jobs (labels, embeddings, hashes, duplicates) until stopped.",
        discussion: "Stops gracefully on SIGTERM or SIGINT: no new job is claimed and the jobs in hand are finished and recorded."
    )

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var analysis: AnalysisOptions
    @OptionGroup var models: ModelOptions

    @Option(help: "Seconds a claimed job is held before other workers may take it (heartbeats extend it).")
    var lease: Double = 60

    @Flag(help: "Exit once no job of the kinds it runs is queued or running, instead of waiting for more.")
    var exitWhenIdle = false

    @Option(help: ArgumentHelp(
        "A moderation policy for the heavy moderation stage (default: $LENSCALE_MODERATION_POLICY, else config/moderation-policy.yaml when it exists, as for serve).",
        valueName: "file"))
    var policy: String?

    @Option(help: "Pixel memory all decodes may hold at once, in bytes; an image that needs more alone fails.")
    var decodeBudgetBytes: Int = DecodeBudget.defaultCapacity

    @Option(help: "A port for /healthz, /readyz and /metrics (no key; the queue and job metrics): on 127.0.0.1 unless --metrics-host says otherwise.")
    var metricsPort: Int?

    @Option(help: "The address of the metrics listener (default 127.0.0.1); 0.0.0.0 in a pod, so probes and Prometheus reach it.")
    var metricsHost: String?

    func validate() throws {
        if let metricsPort, !(0...65_535).contains(metricsPort) { throw ValidationError("--metrics-port must be 0...65535") }
        if metricsHost != nil, metricsPort == nil { throw ValidationError("--metrics-host needs --metrics-port") }
        guard decodeBudgetBytes >= 1_048_576 else { throw ValidationError("--decode-budget-bytes must be at least 1048576 (1 MiB)") }
        guard lease >= 1 else { throw ValidationError("--lease must be at least 1 second") }
    }

    func run() async throws {
        // Everything the worker and its queue report through swift-metrics lands in one registry,
        // exposed on --metrics-port like serve's.
        let metrics = ServingMetrics()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        let logger = Logger(label: "lenscale.worker")
        let cores = Cores.available
        let manifest = try models.manifest()
        let inference = try ModelLoader.inference(manifest)
        let classifier = try ModelLoader.classifier(named: analysis.model, manifest: manifest, inference: inference,
                                                    threads: analysis.threads ?? cores,
                                                    limits: analysis.limits)
        try await CLIScope.workspace(self.workspace.location) { workspace in
            let queue = try makeJobQueue(catalog: workspace.catalog)
            // The policy `serve` would load (--policy, else $LENSCALE_MODERATION_POLICY, else the
            // example policy when present), so this worker runs every job kind `serve` queues.
            let moderation = try ModerationSetup.policyFile(path: policy).map { file in
                try ModerationSetup.load(policyFile: file, manifest: manifest, inference: inference, onlineClassifier: classifier.model.name,
                                         limits: analysis.limits, catalog: workspace.catalog)
            }
            let parts = WorkerGraph.Parts(classifier: classifier, batchSize: analysis.batch, decodePool: DecodePool(threads: cores),
                                          decodeBudget: DecodeBudget(capacity: decodeBudgetBytes), moderation: moderation)
            let worker = try await WorkerGraph.buildWorker(queue: queue, workspace: workspace, parts: parts,
                                                           configuration: Worker.Configuration(lease: .seconds(lease), exitWhenIdle: exitWhenIdle))
            Terminal.error("lenscale worker \(worker.owner): \(worker.kinds.joined(separator: ", ")) with \(classifier.model.name), batches of \(analysis.batch)\n")
            let started = ContinuousClock.now
            let service = WorkerService(worker) { summary in
                let seconds = (ContinuousClock.now - started).seconds
                Terminal.error(String(format: "worker stopped after %.1f s: %d done, %d failed, %d to retry, %d lost leases, %d batches\n",
                                      seconds, summary.done, summary.failed, summary.retried, summary.lost, summary.batches))
            }
            // SIGTERM and SIGINT stop new claims; the jobs in hand are finished and recorded first.
            // With --exit-when-idle the worker ends by itself, which ends the group. The catalog's
            // pool outlives the group: it belongs to the workspace's scope around it.
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
                .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup),
            ]
            services += [queue.wakeups].compactMap { $0.map { .init(service: $0) } }
            if let metricsPort {
                // /readyz: the handlers are built; then the catalog and the store must answer.
                let readiness = Readiness()
                readiness.markReady()
                let defaults = ServeConfiguration.ReadinessConfiguration()
                let probe = ReadinessProbe(catalog: workspace.catalog, store: workspace.store, interval: defaults.probeInterval,
                                           timeout: defaults.probeTimeout, logger: logger)
                let host = metricsHost ?? "127.0.0.1"
                services.append(.init(service: BackgroundService(name: "readiness probe") { await probe.run(updating: readiness) }))
                services.append(.init(service: LenscaleServer.operationsListener(
                    metrics: metrics, readiness: readiness, address: .init(host: host, port: metricsPort), logger: logger,
                    onServerRunning: { port in Terminal.error("lenscale worker: metrics on http://\(host):\(port)/metrics\n") })))
            }
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            do {
                try await group.run()
            } catch {
                throw CLIError("the worker stopped: \(error)")
            }
        }
    }
}
