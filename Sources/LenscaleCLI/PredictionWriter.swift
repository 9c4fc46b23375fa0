import Classification
import Foundation

/// The output formats `classify` (and later commands) print.
enum OutputFormat: String, CaseIterable {
    case table, json, jsonl, csv
}

/// One line of classify output: a prediction and the path it came from.
struct ClassifiedFile: Encodable {
    var path: String
    var prediction: Prediction

    enum CodingKeys: String, CodingKey { case path, sha256, model, model_version, labels, embedding }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(prediction.sha256, forKey: .sha256)
        try container.encode(prediction.model, forKey: .model)
        try container.encode(prediction.modelVersion, forKey: .model_version)
        try container.encode(prediction.labels, forKey: .labels)
        try container.encodeIfPresent(prediction.embedding, forKey: .embedding)
    }
}

/// Writes predictions to stdout as they arrive (jsonl, csv) or all at once at the end (json,
/// table), with the same fields in every format.
struct PredictionWriter {
    let format: OutputFormat
    var buffered: [ClassifiedFile] = []
    let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    init(format: OutputFormat) {
        self.format = format
        if format == .csv { emit("path,sha256,model,model_version,rank,index,name,score\n") }
    }

    mutating func write(_ file: ClassifiedFile) throws {
        switch format {
        case .jsonl:
            emit(String(decoding: try encoder.encode(file), as: UTF8.self) + "\n")
        case .csv:
            var lines = ""
            for (rank, label) in file.prediction.labels.enumerated() {
                let fields = [file.path, file.prediction.sha256, file.prediction.model, file.prediction.modelVersion,
                              String(rank + 1), String(label.index), label.name, String(format: "%.6f", label.score)]
                lines += fields.map(Self.csvField).joined(separator: ",") + "\n"
            }
            emit(lines)
        case .json, .table:
            buffered.append(file)
        }
    }

    func finish() throws {
        switch format {
        case .json:
            let pretty = JSONEncoder()
            pretty.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            emit(String(decoding: try pretty.encode(buffered), as: UTF8.self) + "\n")
        case .table:
            guard let first = buffered.first else { return }
            var table = TextTable(columns: ["PATH", "SHA256", "#", "CLASS", "INDEX", "SCORE"])
            for file in buffered {
                for (rank, label) in file.prediction.labels.enumerated() {
                    table.append([rank == 0 ? file.path : "", rank == 0 ? String(file.prediction.sha256.prefix(12)) : "",
                                  String(rank + 1), label.name, String(label.index), String(format: "%.3f", label.score)])
                }
            }
            emit("model: \(first.prediction.model) (version \(first.prediction.modelVersion))\n" + table.render())
        case .jsonl, .csv:
            break
        }
    }

    func emit(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func csvField(_ value: String) -> String {
        value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }
}
