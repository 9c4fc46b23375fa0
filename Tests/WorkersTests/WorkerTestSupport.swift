import Catalog
import Classification
import Foundation
import ImageDecoding
import Ingest
import Jobs
import Submissions
import TestSupport
import Workers

/// `lenscale queue stats --format json`.
struct StatsOutput: Decodable {
    let counts: [String: Int]
    let expired_leases: Int
}

enum JPEGSet {
    /// `count` JPEG variants of the shared photos (bench/make_jpeg_set.py), smallish so decoding
    /// is quick; cached per count under the system temp folder since the set is deterministic.
    static func make(count: Int, seed: Int = 7) async throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lenscale-jpegset-\(count)-\(seed)")
        let result = try await runProcess(TestPaths.python, [
            TestPaths.repositoryRoot.appendingPathComponent("bench/make_jpeg_set.py").path,
            "--shared", TestPaths.shared.path, "--out", directory.path, "--count", String(count),
            "--min-side", "240", "--max-side", "640", "--seed", String(seed),
        ])
        guard result.status == 0 else { throw TestPostgresError(message: "make_jpeg_set.py failed: \(result.stderr)") }
        return directory
    }
}

/// An embedded workspace with everything a worker needs, over the real lite0 model.
struct WorkerRig {
    let directory: URL
    let workspace: Workspace
    let queue: any JobQueue
    let handler: ImageAnalysisHandler

    /// Runs `body` with a rig over a new temporary folder, removed afterwards.
    static func with<T>(catalog: String? = nil, _ body: (WorkerRig) async throws -> T) async throws -> T {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await Workspace.with(WorkspaceLocation(dataDirectory: directory, catalog: catalog)) { workspace in
            let classifier = try Classifiers.named("efficientnet-lite0")
            let indexes = try await DuplicateIndexes.open(directory: workspace.indexDirectory, catalog: workspace.catalog,
                                                          model: classifier.model.name, embeddingDims: 1280)
            let index = try await IndexFollower(indexes: indexes, catalog: workspace.catalog, model: classifier.model.name)
            let pipeline = ClassificationPipeline(classifier: classifier, batchSize: 8, decodeConcurrency: 2, embeddings: true)
            return try await body(WorkerRig(
                directory: directory, workspace: workspace, queue: try makeJobQueue(catalog: workspace.catalog),
                handler: ImageAnalysisHandler(workspace: workspace, pipeline: pipeline, index: index,
                                              decodePool: DecodePool(threads: 2), decodeBudget: DecodeBudget(capacity: DecodeBudget.defaultCapacity))))
        }
    }

    var submitter: BatchSubmitter {
        BatchSubmitter(queue: queue, store: workspace.store, model: handler.pipeline.classifier.model.name,
                       modelVersion: handler.pipeline.classifier.resultVersion)
    }

    func worker(exitWhenIdle: Bool = true) -> Worker {
        Worker(queue: queue, handlers: [handler], configuration: Worker.Configuration(lease: .seconds(30), exitWhenIdle: exitWhenIdle))
    }
}
