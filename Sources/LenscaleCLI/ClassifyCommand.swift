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

    @Option(help: "The model name from `lenscale models`.")
    var model = "efficientnet-lite0"

    @Option(help: "How many classes to print per image.")
    var top = 5

    @Option(help: "Output format: table, json, jsonl or csv.")
    var format: OutputFormat = .table

    @Option(help: "Model threads (ONNX Runtime intra-op); default: the core count.")
    var threads: Int?

    @Option(help: "Images per model call.")
    var batch = 16

    @Option(help: "Refuse files larger than this many bytes.")
    var maxBytes = DecodeLimits.default.maxBytes

    @Option(help: "Refuse images declaring more pixels than this.")
    var maxPixels = DecodeLimits.default.maxPixels

    @OptionGroup var models: ModelOptions

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard maxBytes > 0, maxPixels > 0 else { throw ValidationError("--max-bytes and --max-pixels must be positive") }
    }

    func run() async throws {
        let expansion = InputPaths.expand(paths)
        for problem in expansion.problems { Terminal.error("lenscale: \(problem.path): \(problem.reason)\n") }
        guard !expansion.files.isEmpty else {
            throw CLIError("no images to classify")
        }
        let cores = Terminal.coreCount
        let classifier = try ModelLoader.classifier(
            named: model, manifest: models.manifest(), threads: threads ?? cores,
            limits: DecodeLimits(maxBytes: maxBytes, maxPixels: maxPixels))
        let pipeline = ClassificationPipeline(classifier: classifier, batchSize: batch, decodeConcurrency: cores, top: top)

        var writer = PredictionWriter(format: format)
        var progress = ProgressBar(total: expansion.files.count)
        var failed = 0
        let start = Date()
        await pipeline.run(expansion.files) { item in
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
        Terminal.error(String(format: "classified %d of %d images with %@ in %.2f s (%.1f images/s), %d failed\n",
                              succeeded, expansion.files.count, model, seconds, Double(expansion.files.count) / max(seconds, 1e-9),
                              failed + expansion.problems.count))
        if failed > 0 || !expansion.problems.isEmpty { throw ExitCode.failure }
    }
}
