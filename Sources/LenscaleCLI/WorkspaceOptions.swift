import ArgumentParser
import Classification
import Foundation
import ImageDecoding
import Ingest

/// `--data`, `--catalog` and `--store`: where a command finds the workspace. Every command that
/// reads or writes images takes these, so embedded and scale-out deployments share one CLI.
struct WorkspaceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The data folder of the embedded store, catalog and indexes (default: $LENSCALE_DATA, else ./lenscale-data).", valueName: "dir"))
    var data: String?

    @Option(help: ArgumentHelp("The catalog: a SQLite path or postgres://user:password@host/db (default: <data>/catalog.sqlite).", valueName: "url"))
    var catalog: String?

    @Option(help: ArgumentHelp("The object store: a folder, file:// or s3://bucket/prefix?endpoint=… (default: <data>/objects).", valueName: "url"))
    var store: String?

    var location: WorkspaceLocation {
        WorkspaceLocation(dataDirectory: WorkspaceLocation.dataDirectory(data), catalog: catalog, store: store)
    }
}

/// The model choice and limits every ingest-like command shares.
struct AnalysisOptions: ParsableArguments {
    @Option(help: "The model name from `lenscale models`.")
    var model = "efficientnet-lite0"

    @Option(help: "Model threads (ONNX Runtime intra-op); default: the core count.")
    var threads: Int?

    @Option(help: "Images per model call.")
    var batch = 16

    @Option(help: "Refuse files larger than this many bytes.")
    var maxBytes = DecodeLimits.default.maxBytes

    @Option(help: "Refuse images declaring more pixels than this.")
    var maxPixels = DecodeLimits.default.maxPixels

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard maxBytes > 0, maxPixels > 0 else { throw ValidationError("--max-bytes and --max-pixels must be positive") }
    }

    var limits: DecodeLimits { DecodeLimits(maxBytes: maxBytes, maxPixels: maxPixels) }
}

/// An opened workspace with the model and indexes loaded, for the scope of `with`.
struct IngestSession {
    let workspace: Workspace
    let ingestor: Ingestor

    static func with<T>(
        workspace options: WorkspaceOptions, analysis: AnalysisOptions, models: ModelOptions, top: Int = 5,
        _ body: (IngestSession) async throws -> T
    ) async throws -> T {
        let cores = Cores.available
        let manifest = try models.manifest()
        let classifier = try ModelLoader.classifier(named: analysis.model, manifest: manifest, inference: try ModelLoader.inference(manifest),
                                                    threads: analysis.threads ?? cores, limits: analysis.limits)
        return try await CLIScope.workspace(options.location) { workspace in
            let indexes = try await DuplicateIndexes.open(directory: workspace.indexDirectory, catalog: workspace.catalog,
                                                          model: classifier.model.name,
                                                          embeddingDims: classifier.model.embeddingDims ?? 0)
            let pipeline = ClassificationPipeline(classifier: classifier, batchSize: analysis.batch, decodeConcurrency: cores,
                                                  top: top, embeddings: true)
            return try await body(IngestSession(workspace: workspace, ingestor: Ingestor(workspace: workspace, pipeline: pipeline, indexes: indexes)))
        }
    }
}
