import ArgumentParser
import Classification
import Composition
import Foundation
import ImageDecoding
import Ingest
import Jobs
import Logging
import Moderation
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

    func validate() throws {
        guard decodeBudgetBytes >= 1_048_576 else { throw ValidationError("--decode-budget-bytes must be at least 1048576 (1 MiB)") }
        guard lease >= 1 else { throw ValidationError("--lease must be at least 1 second") }
    }

    func run() async throws {
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
                                                           configuration: Worker.Configuration(lease: lease, exitWhenIdle: exitWhenIdle))
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
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)]
                    + [queue.wakeups].compactMap { $0.map { .init(service: $0) } },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "lenscale.worker")))
            do {
                try await group.run()
            } catch {
                throw CLIError("the worker stopped: \(error)")
            }
        }
    }
}
