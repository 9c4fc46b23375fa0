import ArgumentParser
import Foundation
import Ingest

/// `lenscale similar`: nearest neighbours by embedding, with their cosine scores.
struct SimilarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "similar", abstract: "List the images most similar to an image.")

    @Argument(help: "An image file, or the SHA-256 of a catalogued image.")
    var image: String

    @Option(help: "How many neighbours.")
    var k = 10

    @Option(help: "Output format: table, json or jsonl.")
    var format: IngestCommand.Format = .table

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var analysis: AnalysisOptions
    @OptionGroup var models: ModelOptions

    func validate() throws {
        guard (1...10_000).contains(k) else { throw ValidationError("--k must be 1...10000") }
    }

    func run() async throws {
        let (query, neighbours) = try await IngestSession.with(workspace: workspace, analysis: analysis, models: models) { session in
            do {
                let query = try await session.ingestor.resolve(image)
                return (query, try await session.ingestor.similar(to: query, k: k))
            } catch {
                throw CLIError("\(image): \(error)")
            }
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(neighbours), as: UTF8.self))
        case .jsonl:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for neighbour in neighbours { print(String(decoding: try encoder.encode(neighbour), as: UTF8.self)) }
        case .table:
            var table = TextTable(columns: ["#", "SHA256", "SCORE"])
            for (rank, neighbour) in neighbours.enumerated() {
                table.append([String(rank + 1), neighbour.sha256, String(format: "%.4f", neighbour.score)])
            }
            print("query \(query.sha256)")
            print(table.render(), terminator: "")
        }
    }
}
