import Foundation
import Hummingbird
import Inference
import Jobs
import Logging
import Moderation
import Serving
import ServiceLifecycle
import Workers

/// Everything `lenscale serve` runs, built in one place from one configuration: the runtime
/// (models, caches, keys), the job queue with its routes and webhooks, moderation under the
/// configured policy, and the in-process worker unless `worker.enabled` is off.
///
/// Tests build theirs through `build(runtime:manifest:policyFile:)` over a runtime of their own.
public struct ServerGraph: Sendable {
    public let runtime: ServingRuntime
    public let jobs: JobServices
    public let moderation: ModerationServices?
    /// The in-process worker; nil in scale-out deployments, which run `lenscale worker`.
    public let worker: Worker?

    /// Builds the graph over an open runtime.
    /// - Parameter policyFile: the moderation policy (`ModerationSetup.policyFile(path:environment:)`
    ///   finds the configured one); nil runs without moderation.
    public static func build(
        runtime: ServingRuntime, manifest: ModelManifest, inference: ONNXRuntime, policyFile: URL?
    ) async throws -> ServerGraph {
        let configuration = runtime.configuration
        let jobs = try JobServices.open(runtime: runtime)
        let endpoint = try runtime.service.endpoint(named: nil)
        let setup = try policyFile.map { file in
            try ModerationSetup.load(policyFile: file, manifest: manifest, inference: inference, onlineClassifier: endpoint.name,
                                     limits: endpoint.classifier.decoder.limits, catalog: runtime.workspace.catalog)
        }
        var worker: Worker?
        if configuration.worker.enabled {
            let parts = WorkerGraph.Parts(classifier: endpoint.classifier, batchSize: configuration.models[0].batcher.maxBatchSize,
                                          decodePool: runtime.service.decodePool, decodeBudget: runtime.service.decodeBudget,
                                          moderation: setup)
            worker = try await WorkerGraph.buildWorker(queue: jobs.queue, workspace: runtime.workspace, parts: parts,
                                                       logger: runtime.logger)
        }
        return ServerGraph(runtime: runtime, jobs: jobs,
                           moderation: setup.map { ModerationServices(setup: $0, runtime: runtime, queue: jobs.queue) },
                           worker: worker)
    }

    /// The background services beside the listener: the webhook dispatcher and the worker.
    public var services: [any Service] {
        var services = jobs.services
        if let worker {
            let logger = runtime.logger
            services.append(WorkerService(worker) { summary in
                logger.info("in-process worker stopped: \(summary.done) done, \(summary.failed) failed")
            })
        }
        return services
    }

    /// The HTTP application: every route, the listener(s) and the background services.
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        LenscaleServer.application(runtime, moderation: moderation, extraRoutes: [jobs.routes], extraServices: services,
                                   onServerRunning: onServerRunning)
    }
}
