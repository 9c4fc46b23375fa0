import ArgumentParser
import Classification
import Dispatch
import Foundation
import ImageDecoding
import Inference
import Ingest
import Jobs
import Moderation
import Serving
import Workers

#if canImport(Glibc)
import Glibc
#endif

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

    @Flag(help: "Exit once no job is queued or running, instead of waiting for more.")
    var exitWhenIdle = false

    @Option(help: ArgumentHelp(
        "A moderation policy: also run the heavy moderation stage (default: $LENSCALE_MODERATION_POLICY; without either, no moderation jobs).",
        valueName: "file"))
    var policy: String?

    @Option(help: "Pixel memory all decodes may hold at once, in bytes; an image that needs more alone fails.")
    var decodeBudgetBytes: Int = DecodeBudget.defaultCapacity

    func validate() throws {
        guard decodeBudgetBytes >= 1_048_576 else { throw ValidationError("--decode-budget-bytes must be at least 1048576 (1 MiB)") }
        guard lease >= 1 else { throw ValidationError("--lease must be at least 1 second") }
    }

    func run() async throws {
        let session = try await IngestSession.open(workspace: workspace, analysis: analysis, models: models)
        let queue: any JobQueue
        let index: IndexFollower
        do {
            queue = try makeJobQueue(catalog: session.workspace.catalog)
            index = try await IndexFollower(indexes: session.ingestor.indexes, catalog: session.workspace.catalog,
                                            model: session.ingestor.classifier.model.name)
        } catch {
            await session.close()
            throw CLIError("\(error)")
        }
        let decodeBudget = DecodeBudget(capacity: decodeBudgetBytes)
        let handler = ImageAnalysisHandler(workspace: session.workspace, pipeline: session.ingestor.pipeline, index: index,
                                           decodePool: DecodePool(threads: Terminal.coreCount), decodeBudget: decodeBudget)
        var handlers: [any JobHandler] = [handler]
        // The heavy moderation stage, so scale-out deployments (no in-process worker) run it too.
        let policyPath = policy ?? ProcessInfo.processInfo.environment["LENSCALE_MODERATION_POLICY"].flatMap { $0.isEmpty ? nil : $0 }
        if let path = policyPath {
            let file = URL(fileURLWithPath: path)
            do {
                let manifest = try models.manifest()
                let cascade = try ModerationCascade.load(policyFile: file, manifest: manifest, runtime: try ONNXRuntime.load(manifest: manifest),
                                                         onlineClassifier: session.ingestor.classifier.model.name, limits: analysis.limits)
                handlers.append(HeavyModerationHandler(cascade: cascade, store: try moderationStore(for: session.workspace.catalog),
                                                       objects: session.workspace.store, decodeBudget: decodeBudget))
            } catch {
                await queue.close()
                await session.close()
                throw CLIError("\(error)")
            }
        }
        let worker = Worker(queue: queue, handlers: handlers,
                            configuration: Worker.Configuration(lease: lease, exitWhenIdle: exitWhenIdle))
        Terminal.error("lenscale worker \(worker.owner): \(handlers.map(\.kind).joined(separator: ", ")) with \(session.ingestor.classifier.model.name), batches of \(handler.batchSize)\n")
        let started = ContinuousClock.now
        let task = Task { await worker.run() }
        let signals = Self.onTermination { task.cancel() }
        let summary = await task.value
        signals.forEach { $0.cancel() }
        await queue.close()
        await session.close()
        let seconds = (ContinuousClock.now - started).seconds
        Terminal.error(String(format: "worker stopped after %.1f s: %d done, %d failed, %d to retry, %d lost leases, %d batches\n",
                              seconds, summary.done, summary.failed, summary.retried, summary.lost, summary.batches))
    }

    /// Calls `stop` on SIGTERM or SIGINT instead of dying, so the jobs in hand are finished.
    static func onTermination(_ stop: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                Terminal.error("lenscale worker: stopping after the jobs in hand\n")
                stop()
            }
            source.resume()
            return source
        }
    }
}
