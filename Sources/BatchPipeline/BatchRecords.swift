import Classification
import Foundation

/// The lines of the output files, with the keys and number formats of `lenscale classify`.
enum BatchRecords {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A model that outputs NaN or ±∞ must not take the run down: JSON has no such numbers,
        // so they are written as strings a reader can recognise.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    /// One `labels.jsonl` record: classify's JSONL record without an embedding.
    struct LabelLine: Codable {
        var path: String
        var sha256: String
        var model: String
        var model_version: String
        var labels: [Label]
    }

    struct FailureLine: Codable {
        var path: String
        var sha256: String?
        var error: String
        var message: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(path, forKey: .path)
            try container.encode(sha256, forKey: .sha256)  // null rather than absent
            try container.encode(error, forKey: .error)
            try container.encode(message, forKey: .message)
        }
    }

    /// `embeddings.index.jsonl`: which item each .npy row belongs to.
    struct IndexLine: Codable {
        var row: Int
        var sha256: String
        var path: String
    }

    static let csvHeader = "path,sha256,model,model_version,rank,index,name,score\n"

    static func json<T: Encodable>(_ value: T) -> String {
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
        } catch {
            // Unreachable for these string-and-number records; a line that says so beats a trap.
            return #"{"error":"unencodable_record","message":"this record could not be written as JSON"}"# + "\n"
        }
    }

    static func labels(_ line: LabelLine, format: LabelFormat) -> String {
        switch format {
        case .jsonl:
            return json(line)
        case .csv:
            var text = ""
            for (rank, label) in line.labels.enumerated() {
                let fields = [line.path, line.sha256, line.model, line.model_version, String(rank + 1), String(label.index),
                              label.name, String(format: "%.6f", label.score)]
                text += fields.map(csvField).joined(separator: ",") + "\n"
            }
            return text
        }
    }

    static func csvField(_ value: String) -> String {
        value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }

    /// The labels per content hash in an existing labels file, so that a resumed run can give
    /// the earlier run's labels to duplicates it meets.
    static func knownLabels(in data: Data, format: LabelFormat) -> [String: [Label]] {
        var known: [String: [Label]] = [:]
        switch format {
        case .jsonl:
            let decoder = JSONDecoder()
            for line in data.split(separator: UInt8(ascii: "\n")) {
                if let record = try? decoder.decode(LabelLine.self, from: Data(line)), known[record.sha256] == nil {
                    known[record.sha256] = record.labels
                }
            }
        case .csv:
            var current: (path: String, sha256: String, labels: [Label])?
            for row in CSVRows.parse(String(decoding: data, as: UTF8.self)).dropFirst() where row.count == 8 {
                guard let index = Int(row[5]), let score = Float(row[7]) else { continue }
                if current?.path != row[0] || current?.sha256 != row[1] || row[4] == "1" {
                    if let done = current, known[done.sha256] == nil { known[done.sha256] = done.labels }
                    current = (row[0], row[1], [])
                }
                current?.labels.append(Label(index: index, name: row[6], score: score))
            }
            if let done = current, known[done.sha256] == nil { known[done.sha256] = done.labels }
        }
        return known
    }
}
