import ArgumentParser
import Classification
import Foundation
import Ingest

/// `lenscale ingest`: stores, catalogues, labels and indexes images.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Store, label and index images; the same bytes are stored once.",
        discussion: "Folders are walked recursively. A bad file is reported and skipped before anything is stored; the exit status is 1 if any file failed."
    )

    @Argument(help: "Image files or folders.")
    var paths: [String]

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, jsonl }

    @Option(help: "Output format: table, json or jsonl.")
    var format: Format = .table

    @Option(help: "How many classes to keep per image.")
    var top = 5

    @Flag(name: .customLong("async"), help: "Store and enqueue the files as one batch, print its id and return; `lenscale worker` labels them.")
    var background = false

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var analysis: AnalysisOptions
    @OptionGroup var models: ModelOptions

    /// One JSON record per file; `sha256` and `error` are written as null rather than left out,
    /// so every record has the same keys.
    struct Line: Encodable {
        var path: String
        var sha256: String?
        var status: String
        var error: String?
        var labels: [Label]

        enum CodingKeys: String, CodingKey { case path, sha256, status, error, labels }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(path, forKey: .path)
            try container.encode(sha256, forKey: .sha256)
            try container.encode(status, forKey: .status)
            try container.encode(error, forKey: .error)
            try container.encode(labels, forKey: .labels)
        }
    }

    func run() async throws {
        let expansion = InputPaths.expand(paths)
        for problem in expansion.problems { Terminal.error("lenscale: \(problem.path): \(problem.reason)\n") }
        guard !expansion.files.isEmpty else { throw CLIError("no images to ingest") }
        if background { return try await submitInBackground(expansion.files, problems: expansion.problems.count) }
        var progress = ProgressBar(total: expansion.files.count)
        var lines: [Line] = []
        var table = TextTable(columns: ["PATH", "STATUS", "SHA256", "LABEL / MESSAGE"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let started = Date()
        let summary = try await IngestSession.with(workspace: workspace, analysis: analysis, models: models, top: top) { session in
            await session.ingestor.ingest(expansion.files) { result in
                let line = Line(path: result.path, sha256: result.sha256, status: result.status.rawValue,
                                error: result.status == .error ? result.message : nil, labels: result.labels)
                if result.status == .error {
                    if progress.enabled { Terminal.error("\r\u{1B}[2K") }
                    Terminal.error("lenscale: \(result.path): \(result.message ?? "failed")\n")
                }
                switch format {
                case .jsonl:
                    if let data = try? encoder.encode(line) { print(String(decoding: data, as: UTF8.self)) }
                case .json:
                    lines.append(line)
                case .table:
                    let detail = result.status == .new
                        ? result.labels.first.map { String(format: "%@ (%.2f)", $0.name, $0.score) } ?? ""
                        : result.message ?? ""
                    table.append([result.path, result.status.rawValue, String((result.sha256 ?? "-").prefix(12)), detail])
                }
                progress.advance()
            }
        }
        progress.finish()
        switch format {
        case .json:
            let pretty = JSONEncoder()
            pretty.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try pretty.encode(lines), as: UTF8.self))
        case .table:
            print(table.render(), terminator: "")
        case .jsonl:
            break
        }
        if let warning = summary.indexWarning { Terminal.error("lenscale: warning: \(warning)\n") }
        let seconds = Date().timeIntervalSince(started)
        Terminal.error(String(format: "ingested %d files in %.2f s (%.1f files/s): %d new, %d exact duplicates, %d failed\n",
                              expansion.files.count, seconds, Double(expansion.files.count) / max(seconds, 1e-9),
                              summary.new, summary.duplicates, summary.failed + expansion.problems.count))
        if summary.failed > 0 || !expansion.problems.isEmpty { throw ExitCode.failure }
    }
}
