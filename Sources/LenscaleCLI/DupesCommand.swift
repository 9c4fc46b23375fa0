import ArgumentParser
import Foundation
import Ingest

/// `lenscale dupes`: the exact, near-duplicate and similar tiers for one image, kept apart.
struct DupesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dupes",
        abstract: "Show exact copies, near duplicates and similar images of an image.",
        discussion: "Exact: the same bytes. Near duplicate: the same picture resized, recompressed or lightly edited (perceptual hash within --near-threshold bits). Similar: a different picture of similar content (embedding cosine of at least --similar-threshold)."
    )

    @Argument(help: "An image file, or the SHA-256 of a catalogued image.")
    var image: String

    @Option(help: "Output format: table, json or jsonl.")
    var format: IngestCommand.Format = .table

    @Option(help: "The largest Hamming distance (of 64 bits) called a near duplicate.")
    var nearThreshold = DuplicateThresholds.default.nearDistance

    @Option(help: "The smallest embedding cosine called similar.")
    var similarThreshold = DuplicateThresholds.default.similarScore

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var analysis: AnalysisOptions
    @OptionGroup var models: ModelOptions

    func validate() throws {
        guard (0...64).contains(nearThreshold) else { throw ValidationError("--near-threshold must be 0...64") }
        guard (-1...1).contains(similarThreshold) else { throw ValidationError("--similar-threshold must be -1...1") }
    }

    func run() async throws {
        let report = try await IngestSession.with(workspace: workspace, analysis: analysis, models: models) { session in
            do {
                let query = try await session.ingestor.resolve(image)
                return try await session.ingestor.duplicates(
                    of: query, thresholds: DuplicateThresholds(nearDistance: nearThreshold, similarScore: similarThreshold))
            } catch {
                throw CLIError("\(image): \(error)")
            }
        }
        switch format {
        case .json, .jsonl:
            let encoder = JSONEncoder()
            encoder.outputFormatting = format == .json ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        case .table:
            print("query \(report.sha256)")
            print("exact (\(report.exact.count)):")
            for hash in report.exact { print("  \(hash)") }
            print("near duplicates, Hamming ≤ \(nearThreshold) (\(report.near.count)):")
            for near in report.near { print("  \(near.sha256)  distance \(near.distance)") }
            print("similar, cosine ≥ \(similarThreshold) (\(report.similar.count)):")
            for similar in report.similar { print(String(format: "  %@  score %.3f", similar.sha256, similar.score)) }
        }
    }
}
