import Classification
import Foundation
import ImageDecoding
import Ingest
import Jobs
import Logging
import ServiceLifecycle
import Workers

/// The job side of a server: the queue on the catalog's database, the batch and event routes,
/// the webhook dispatcher, and (embedded mode) a worker in this process, so the one-machine
/// default needs no second process. Scale-out deployments turn the worker off and run
/// `lenscale worker` processes instead.
public struct JobServices: Sendable {
    public let queue: any JobQueue
    public let routes: LenscaleServer.RouteGroup
    public let services: [any Service]
    /// The open event streams and long polls per key, for tests and metrics.
    let streams: StreamSlots

    /// - Parameter handlers: more job kinds for the in-process worker (moderation's heavy stage).
    public static func open(runtime: ServingRuntime, handlers: [any JobHandler] = []) async throws -> JobServices {
        let configuration = runtime.configuration
        let workspace = runtime.workspace
        let endpoint = try runtime.service.endpoint(named: nil)
        let queue = try makeJobQueue(catalog: workspace.catalog)
        let limits = DecodeLimits(maxBytes: configuration.limits.maxBodyBytes, maxPixels: configuration.limits.maxPixels)
        let submitter = BatchSubmitter(queue: queue, store: workspace.store, model: endpoint.name, modelVersion: endpoint.version, limits: limits)
        let targets = WebhookTargetPolicy(allowed: configuration.webhooks.allowCIDRs.compactMap(AddressRange.init(parsing:)))
        let routes = JobRoutes(queue: queue, submitter: submitter, maxBatchBytes: configuration.limits.maxBatchBytes,
                               maxStreamsPerKey: configuration.limits.maxStreamsPerKey,
                               maxStreamDuration: .seconds(configuration.limits.maxStreamSeconds), clock: runtime.clock,
                               targets: targets)
        var services: [any Service] = [BackgroundService(name: "webhooks") { await WebhookDispatcher(queue: queue, targets: targets).run() }]
        if configuration.worker.enabled {
            let cores = ProcessInfo.processInfo.activeProcessorCount
            let pipeline = ClassificationPipeline(classifier: endpoint.classifier, batchSize: configuration.models[0].batcher.maxBatchSize,
                                                  decodeConcurrency: configuration.limits.decodeConcurrency ?? cores, top: 5, embeddings: true)
            let indexes = try await DuplicateIndexes.open(directory: workspace.indexDirectory, catalog: workspace.catalog,
                                                          model: endpoint.name, embeddingDims: endpoint.classifier.model.embeddingDims ?? 0)
            let follower = try await IndexFollower(indexes: indexes, catalog: workspace.catalog, model: endpoint.name)
            // The online path's decode threads and pixel budget: one bound for the whole process.
            let analysis = ImageAnalysisHandler(workspace: workspace, pipeline: pipeline, index: follower,
                                                decodePool: runtime.service.decoding.pool, decodeBudget: runtime.service.decoding.budget)
            let worker = Worker(queue: queue, handlers: [analysis] + handlers)
            services.append(BackgroundService(name: "worker") {
                let summary = await worker.run()
                runtime.logger.info("in-process worker stopped: \(summary.done) done, \(summary.failed) failed")
            })
        }
        return JobServices(queue: queue, routes: { routes.add(to: $0) }, services: services, streams: routes.streams)
    }

    public func close() async { await queue.close() }
}
