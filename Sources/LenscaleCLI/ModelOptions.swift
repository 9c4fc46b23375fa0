import ArgumentParser
import Foundation
import Inference

/// Where the model manifest is, shared by every command that loads a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("models"), help: ArgumentHelp(
        "The folder holding models.json (default: $LENSCALE_MODELS, else ./models).", valueName: "dir"))
    var directory: String?

    func manifest() throws -> ModelManifest {
        let url = directory.map { URL(fileURLWithPath: $0).appendingPathComponent("models.json") } ?? ModelManifest.defaultURL()
        do {
            return try ModelManifest.load(from: url)
        } catch {
            throw CLIError("\(error)")
        }
    }
}

/// A failure the CLI reports as one line on stderr with a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
