import Catalog
import Classification
import ImageDecoding
import Ingest
import Jobs
import Logging
import Moderation
import Workers

/// Builds a worker: the handlers for every job kind this deployment runs, over one queue.
///
/// One copy for `serve`'s in-process worker and for `lenscale worker`, so a scale-out worker
/// started with the same configuration runs what `serve` would have: before, the two were
/// assembled apart and the worker ran no `moderation.heavy` jobs unless given `--policy`.
public enum WorkerGraph {
    /// The parts of a worker that differ by process; the rest comes from the workspace.
    public struct Parts: Sendable {
        public var classifier: Classifier
        /// Images per model call of `image.analyse`.
        public var batchSize: Int
        /// The decode threads and pixel memory of the process (shared with the online path in
        /// `serve`, so the two together stay within one bound).
        public var decodePool: DecodePool
        public var decodeBudget: DecodeBudget
        /// The heavy moderation stage; nil when the deployment runs without a policy.
        public var moderation: ModerationSetup?

        public init(classifier: Classifier, batchSize: Int, decodePool: DecodePool, decodeBudget: DecodeBudget,
                    moderation: ModerationSetup?) {
            self.classifier = classifier
            self.batchSize = batchSize
            self.decodePool = decodePool
            self.decodeBudget = decodeBudget
            self.moderation = moderation
        }
    }

    /// The job handlers: `image.analyse` (labels, embeddings, hashes, duplicates, with the
    /// duplicate indexes following the catalog), and `moderation.heavy` under a policy.
    public static func handlers(workspace: Workspace, parts: Parts) async throws -> [any JobHandler] {
        let model = parts.classifier.model
        let indexes = try await DuplicateIndexes.open(directory: workspace.indexDirectory, catalog: workspace.catalog,
                                                      model: model.name, embeddingDims: model.embeddingDims ?? 0)
        let follower = try await IndexFollower(indexes: indexes, catalog: workspace.catalog, model: model.name)
        let pipeline = ClassificationPipeline(classifier: parts.classifier, batchSize: parts.batchSize,
                                              decodeConcurrency: parts.decodePool.threads, top: 5, embeddings: true)
        var handlers: [any JobHandler] = [
            ImageAnalysisHandler(workspace: workspace, pipeline: pipeline, index: follower, decodePool: parts.decodePool,
                                 decodeBudget: parts.decodeBudget),
        ]
        if let moderation = parts.moderation {
            handlers.append(HeavyModerationHandler(cascade: moderation.cascade, store: moderation.store, objects: workspace.store,
                                                   decodePool: parts.decodePool, decodeBudget: parts.decodeBudget))
        }
        return handlers
    }

    public static func buildWorker(
        queue: any JobQueue, workspace: Workspace, parts: Parts, configuration: Worker.Configuration = Worker.Configuration(),
        logger: Logger = Logger(label: "lenscale.worker")
    ) async throws -> Worker {
        Worker(queue: queue, handlers: try await handlers(workspace: workspace, parts: parts), configuration: configuration, logger: logger)
    }
}
