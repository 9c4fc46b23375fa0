import ArgumentParser
import Catalog
import Foundation
import Ingest

/// `lenscale index`: maintenance of the duplicate and similarity indexes.
struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index", abstract: "Build or rebuild the search indexes.", subcommands: [Build.self, Rebuild.self])

    /// `lenscale index build --dims 512`: PCA-reduced vectors, as the storage plan assumes.
    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reduce the embeddings with PCA and rebuild the similar index over them.",
            discussion: "The model's embeddings are 1280-d float32 (5 KB an image). --dims 512 stores 2 KB an image; --dtype float16 halves it again.")

        @Option(help: "Dimensions to keep.")
        var dims = 512

        enum DType: String, ExpressibleByArgument, CaseIterable { case float32, float16 }

        @Option(help: "Stored element type: float32 or float16.")
        var dtype: DType = .float32

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var analysis: AnalysisOptions
        @OptionGroup var models: ModelOptions

        func validate() throws {
            guard dims >= 1 else { throw ValidationError("--dims must be at least 1") }
        }

        func run() async throws {
            let report = try await IngestSession.with(workspace: workspace, analysis: analysis, models: models) { session in
                try await session.ingestor.indexes.reduce(to: dims, dtype: dtype == .float16 ? .float16 : .float32)
            }
            print("reduced \(report.images) embeddings from \(report.inputDims) to \(report.dims) dims (\(report.dtype.rawValue)) in \(String(format: "%.2f", report.seconds)) s")
            if let variance = report.explainedVariance { print(String(format: "explained variance: %.1f %%", variance * 100)) }
            print("bytes per image: \(report.bytesPerImage) (was \(report.inputDims * 4) as float32)")
        }
    }

    /// `lenscale index rebuild`: drop the index files and rebuild them from the catalog.
    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rebuild the indexes from the catalog.")

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var analysis: AnalysisOptions
        @OptionGroup var models: ModelOptions

        func run() async throws {
            let count = try await IngestSession.with(workspace: workspace, analysis: analysis, models: models) { session in
                try await session.ingestor.indexes.rebuild()
                return await session.ingestor.indexes.imageCount
            }
            print("rebuilt the indexes over \(count) images")
        }
    }
}
