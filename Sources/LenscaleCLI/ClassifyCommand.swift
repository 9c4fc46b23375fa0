import ArgumentParser
import Classification
import Foundation
import ImageDecoding
import Inference

extension OutputFormat: ExpressibleByArgument {}

/// `lenscale classify`: labels images with an ImageNet model.
struct ClassifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify images with an ImageNet model.",
        discussion: "Folders are walked recursively. A bad file is reported on stderr and the run goes on; the exit status is 1 if any file failed."
    )

    @Argument(help: "Image files or folders.")
    var paths: [String]

    @Option(help: "How many classes to print per image.")
    var top = 5

    @Option(help: "Output format: table, json, jsonl or csv.")
    var format: OutputFormat = .table

    @OptionGroup var analysis: AnalysisOptions
    @OptionGroup var models: ModelOptions

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
    }

    func run() async throws {
        let expansion = InputPaths.expand(paths)
        for problem in expansion.problems { Terminal.error("lenscale: \(problem.path): \(problem.reason)\n") }
        guard !expansion.files.isEmpty else {
            throw CLIError("no images to classify")
        }
        let cores = Cores.available
        let manifest = try models.manifest()
        let classifier = try ModelLoader.classifier(
            named: analysis.model, manifest: manifest, inference: try ModelLoader.inference(manifest), threads: analysis.threads ?? cores, limits: analysis.limits)
        let pipeline = ClassificationPipeline(classifier: classifier, batchSize: analysis.batch, decodeConcurrency: cores, top: top)

        var writer = PredictionWriter(format: format)
        var progress = ProgressBar(total: expansion.files.count)
        var failed = 0
        let start = Date()
        let statistics = await pipeline.run(expansion.files) { item in
            switch item.result {
            case .success(let prediction):
                do { try writer.write(ClassifiedFile(path: item.path, prediction: prediction)) } catch {
                    Terminal.error("lenscale: cannot write output: \(error)\n")
                }
            case .failure(let error):
                failed += 1
                if progress.enabled { Terminal.error("\r\u{1B}[2K") }
                Terminal.error("lenscale: \(item.path): \(error)\n")
            }
            progress.advance()
        }
        progress.finish()
        try writer.finish()
        let seconds = Date().timeIntervalSince(start)
        let succeeded = expansion.files.count - failed
        Terminal.error(String(format: "classified %d of %d images with %@ in %.2f s (%.1f images/s), %d failed; "
                              + "decode %.2f s over %d workers, inference %.2f s in %d batches\n",
                              succeeded, expansion.files.count, analysis.model, seconds, Double(expansion.files.count) / max(seconds, 1e-9),
                              failed + expansion.problems.count, statistics.prepareSeconds, cores,
                              statistics.inferenceSeconds, statistics.batches))
        if failed > 0 || !expansion.problems.isEmpty { throw ExitCode.failure }
    }
}
