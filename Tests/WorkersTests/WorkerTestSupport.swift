import Catalog
import Classification
import Foundation
import Ingest
import Jobs
import TestSupport
import Workers

/// The `lenscale` executable that `swift build` put beside the tests.
enum CLI {
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["LENSCALE_BIN"], !path.isEmpty { return URL(fileURLWithPath: path) }
        // The test bundle's folder (Bundle.main is the runner on Linux, so look at argv[0] too).
        for base in [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0])] {
            let candidate = base.deletingLastPathComponent().appendingPathComponent("lenscale")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return TestPaths.repositoryRoot.appendingPathComponent(".build/debug/lenscale")
    }

    static var environment: [String: String] { ["LENSCALE_MODELS": TestPaths.models.path] }

    static func run(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(binary, arguments, environment: environment)
    }

    /// Starts `lenscale` without waiting; output goes to `log`.
    static func spawn(_ arguments: [String], log: URL) throws -> Process {
        try spawnProcess(binary, arguments, environment: environment, log: log)
    }
}

/// `lenscale queue stats --format json`.
struct StatsOutput: Decodable {
    let counts: [String: Int]
    let expired_leases: Int
}

enum JPEGSet {
    /// `count` JPEG variants of the shared photos (bench/make_jpeg_set.py), smallish so decoding
    /// is quick; cached per count under the system temp folder since the set is deterministic.
    static func make(count: Int, seed: Int = 7) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lenscale-jpegset-\(count)-\(seed)")
        let result = try runProcess(TestPaths.python, [
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

    static func make(catalog: String? = nil) async throws -> WorkerRig {
        let directory = try TestPaths.temporaryDirectory()
        let workspace = try await Workspace.open(WorkspaceLocation(dataDirectory: directory, catalog: catalog))
        let classifier = try Classifiers.named("efficientnet-lite0")
        let indexes = try await DuplicateIndexes.open(directory: workspace.indexDirectory, catalog: workspace.catalog,
                                                      model: classifier.model.name, embeddingDims: 1280)
        let index = try await IndexFollower(indexes: indexes, catalog: workspace.catalog, model: classifier.model.name)
        let pipeline = ClassificationPipeline(classifier: classifier, batchSize: 8, decodeConcurrency: 2, embeddings: true)
        return WorkerRig(directory: directory, workspace: workspace, queue: try makeJobQueue(catalog: workspace.catalog),
                         handler: ImageAnalysisHandler(workspace: workspace, pipeline: pipeline, index: index))
    }

    var submitter: BatchSubmitter {
        BatchSubmitter(queue: queue, store: workspace.store, model: handler.pipeline.classifier.model.name,
                       modelVersion: handler.pipeline.classifier.resultVersion)
    }

    func worker(exitWhenIdle: Bool = true) -> Worker {
        Worker(queue: queue, handlers: [handler], configuration: Worker.Configuration(lease: 30, exitWhenIdle: exitWhenIdle))
    }

    func remove() async {
        await queue.close()
        await workspace.close()
        try? FileManager.default.removeItem(at: directory)
    }
}
