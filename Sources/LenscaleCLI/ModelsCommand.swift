import ArgumentParser
import Foundation
import Inference

/// `lenscale models`: what `make setup` installed, read from the manifest.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "models", abstract: "List the installed models.")

    @OptionGroup var models: ModelOptions

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Option(help: "Output format: table or json.")
    var format: Format = .table

    func run() throws {
        let manifest = try models.manifest()
        switch format {
        case .json:
            let rows = manifest.models.map { model in
                ModelRow(name: model.name, version: model.version, task: model.task.rawValue, file: model.fileURL.path,
                         sha256: model.sha256, bytes: model.bytes, input_size: model.input.size,
                         resize: "\(model.input.resize.rule.rawValue) \(model.input.resize.shorterSide.map(String.init) ?? "-") \(model.input.resize.filter.rawValue)",
                         crop: model.input.crop.rawValue, color: model.input.color.rawValue,
                         mean: model.input.mean, std: model.input.std, outputs: model.outputs,
                         num_classes: model.numClasses, embedding_dims: model.embeddingDims,
                         labels: model.labelsURL?.path, license: model.license)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        case .table:
            var table = TextTable(columns: ["MODEL", "VERSION", "TASK", "INPUT", "RESIZE", "NORMALISE", "OUTPUTS", "SIZE"])
            for model in manifest.models {
                let input = model.input
                let resize = input.resize.rule == .shorterSide
                    ? "short \(input.resize.shorterSide ?? 0) \(input.resize.filter.rawValue), crop \(input.crop.rawValue)"
                    : "\(input.resize.rule.rawValue) \(input.resize.filter.rawValue)"
                table.append([
                    model.name, model.version, model.task.rawValue,
                    "\(input.size)×\(input.size) \(input.color.rawValue)", resize,
                    "mean \(Self.compact(input.mean)) std \(Self.compact(input.std))",
                    model.outputs.keys.sorted().joined(separator: ","),
                    String(format: "%.1f MB", Double(model.bytes) / 1e6),
                ])
            }
            print(table.render(), terminator: "")
            print("runtime: ONNX Runtime \(manifest.onnxruntime.version) at \(manifest.onnxruntime.libraryURL.path)")
        }
    }

    static func compact(_ values: [Float]) -> String {
        Set(values).count == 1 ? String(format: "%g", values[0]) : values.map { String(format: "%g", $0) }.joined(separator: "/")
    }

    struct ModelRow: Encodable {
        var name, version, task, file, sha256: String
        var bytes, input_size: Int
        var resize, crop, color: String
        var mean, std: [Float]
        var outputs: [String: String]
        var num_classes, embedding_dims: Int?
        var labels: String?
        var license: String
    }
}
