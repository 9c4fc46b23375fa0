import Catalog
import Classification
import Foundation

/// The output folder of one batch run, and its checkpoint.
///
///     run.json                what the run is (model, version, format, dtype, shard); a resume
///                             with other settings is refused rather than mixed in
///     labels.jsonl|csv        one record per labelled item (duplicates included)
///     failures.jsonl          one line per item that could not be labelled, with the reason
///     embeddings.npy          one row per distinct image, float32 or float16
///     embeddings.index.jsonl  row → sha256 and the path of its first item
///     checkpoint.jsonl        after each batch: every file's length and the items finished
///
/// Each batch is appended to every file, the files are fsynced, the .npy header's row count is
/// rewritten, and only then is the checkpoint line appended and fsynced. A run killed at any
/// point therefore loses at most the batches not yet checkpointed; its rerun cuts every file
/// back to the checkpointed lengths and skips the finished items. Files are appended, never
/// rewritten, so the cost per batch is a few small writes and fsyncs, whatever the run's size.
///
/// Not thread-safe, and unchecked `Sendable` because the pipeline hands it to its write queue:
/// the pipeline awaits each batch's write before it starts the next, so one call runs at a time.
final class BatchOutput: @unchecked Sendable {
    let directory: URL
    let description: RunDescription
    private let lock: AppendFile
    private let labels: AppendFile
    private let failures: AppendFile
    private let index: AppendFile
    private let embeddings: AppendFile
    private let checkpoint: AppendFile
    private(set) var rows = 0
    private(set) var counts = BatchCounts()
    let rowBytes: Int

    /// What a resumed run starts from.
    struct Resume {
        var finished: Set<String> = []
        /// Content already labelled, for duplicates met later.
        var known: [String: [Label]] = [:]
        /// Content that failed, by hash, with the reason.
        var failed: [String: String] = [:]
    }

    /// The settings a folder's files were written with.
    struct RunDescription: Codable, Equatable {
        var model: String
        var model_version: String
        var format: LabelFormat
        var embedding_dtype: EmbeddingDType
        var embedding_dims: Int
        var shard: String
        var top: Int
    }

    struct CheckpointLine: Codable {
        var labels: Int
        var failures: Int
        var index: Int
        var rows: Int
        var counts: BatchCounts
        var finished: [String]
    }

    init(directory: URL, description: RunDescription) throws(BatchError) {
        self.directory = directory
        self.description = description
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .output(path: directory.path, reason: error.localizedDescription)
        }
        func file(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let lock = try AppendFile(path: file(".lock"))
        try lock.lockExclusively()
        self.lock = lock
        let descriptionPath = file("run.json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        if let existing = FileManager.default.contents(atPath: descriptionPath) {
            guard let earlier = try? JSONDecoder().decode(RunDescription.self, from: existing) else {
                throw .incompatibleOutput(path: directory.path, reason: "run.json is not a batch run description")
            }
            if earlier != description {
                throw .incompatibleOutput(path: directory.path, reason: Self.difference(earlier, description))
            }
        } else {
            // A new run: any files from an older, undescribed run are cleared below.
            for name in ["checkpoint.jsonl", "labels.jsonl", "labels.csv", "failures.jsonl", "embeddings.npy", "embeddings.index.jsonl"] {
                try? FileManager.default.removeItem(atPath: file(name))
            }
            do {
                try (try encoder.encode(description) + Data("\n".utf8)).write(to: URL(fileURLWithPath: descriptionPath), options: .atomic)
            } catch {
                throw .output(path: descriptionPath, reason: error.localizedDescription)
            }
        }
        labels = try AppendFile(path: file(description.format.fileName))
        failures = try AppendFile(path: file("failures.jsonl"))
        index = try AppendFile(path: file("embeddings.index.jsonl"))
        embeddings = try AppendFile(path: file("embeddings.npy"))
        checkpoint = try AppendFile(path: file("checkpoint.jsonl"))
        rowBytes = description.embedding_dims * description.embedding_dtype.byteWidth
    }

    static func difference(_ earlier: RunDescription, _ now: RunDescription) -> String {
        var parts: [String] = []
        if earlier.model != now.model || earlier.model_version != now.model_version {
            parts.append("model \(earlier.model) \(earlier.model_version), now \(now.model) \(now.model_version)")
        }
        if earlier.format != now.format { parts.append("format \(earlier.format.rawValue), now \(now.format.rawValue)") }
        if earlier.embedding_dtype != now.embedding_dtype {
            parts.append("embedding dtype \(earlier.embedding_dtype.rawValue), now \(now.embedding_dtype.rawValue)")
        }
        if earlier.shard != now.shard { parts.append("shard \(earlier.shard), now \(now.shard)") }
        if earlier.top != now.top { parts.append("top \(earlier.top), now \(now.top)") }
        if earlier.embedding_dims != now.embedding_dims { parts.append("embedding dims \(earlier.embedding_dims), now \(now.embedding_dims)") }
        return parts.joined(separator: "; ")
    }

    /// Cuts every file back to the last complete checkpoint and returns what it says is done.
    func resume() throws(BatchError) -> Resume {
        var resume = Resume()
        let data = try checkpoint.readAll()
        var last: CheckpointLine?
        var validLength = 0
        var offset = 0
        let decoder = JSONDecoder()
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let end = offset + line.count + 1
            // Only newline-terminated lines that parse count: a kill mid-append leaves neither.
            guard end <= data.count, let entry = try? decoder.decode(CheckpointLine.self, from: Data(line)) else { break }
            resume.finished.formUnion(entry.finished)
            last = entry
            validLength = end
            offset = end
        }
        try checkpoint.truncate(to: validLength)
        let state = last ?? CheckpointLine(labels: 0, failures: 0, index: 0, rows: 0, counts: BatchCounts(), finished: [])
        guard labels.length >= state.labels, failures.length >= state.failures, index.length >= state.index,
              embeddings.length >= NPYHeader.length + state.rows * rowBytes || state.rows == 0 else {
            throw .incompatibleOutput(path: directory.path, reason: "its files are shorter than checkpoint.jsonl says; they were changed by hand")
        }
        try labels.truncate(to: state.labels)
        try failures.truncate(to: state.failures)
        try index.truncate(to: state.index)
        try embeddings.truncate(to: NPYHeader.length + state.rows * rowBytes)
        rows = state.rows
        counts = state.counts
        try writeHeader()
        if state.labels == 0 && description.format == .csv { try labels.append(Data(BatchRecords.csvHeader.utf8)) }
        for file in [labels, failures, index, embeddings, checkpoint] { try file.sync() }
        if state.labels > 0 { resume.known = BatchRecords.knownLabels(in: try labels.readAll(), format: description.format) }
        if state.failures > 0 {
            for line in try failures.readAll().split(separator: UInt8(ascii: "\n")) {
                if let failure = try? decoder.decode(BatchRecords.FailureLine.self, from: Data(line)), let sha256 = failure.sha256 {
                    resume.failed[sha256] = failure.message
                }
            }
        }
        return resume
    }

    func writeHeader() throws(BatchError) {
        try embeddings.write(NPYHeader.bytes(rows: rows, columns: description.embedding_dims, dtype: description.embedding_dtype), at: 0)
    }

    /// Appends one batch's outcomes to every file and checkpoints it; see the type's comment.
    func append(_ outcomes: [BatchOutcome]) throws(BatchError) {
        var labelText = "", failureText = "", indexText = ""
        var vectors = Data()
        for outcome in outcomes {
            counts.add(outcome.kind)
            switch outcome.kind {
            case .classified(let predicted, let embedding, _):
                labelText += BatchRecords.labels(label(outcome, predicted), format: description.format)
                indexText += BatchRecords.json(BatchRecords.IndexLine(row: rows, sha256: outcome.sha256 ?? "", path: outcome.name))
                vectors.append(Self.row(embedding, dims: description.embedding_dims, dtype: description.embedding_dtype))
                rows += 1
            case .duplicate(let predicted):
                labelText += BatchRecords.labels(label(outcome, predicted), format: description.format)
            case .failed(let code, let message):
                failureText += BatchRecords.json(BatchRecords.FailureLine(path: outcome.name, sha256: outcome.sha256, error: code, message: message))
            case .skipped, .unreachable:
                break
            }
        }
        if !labelText.isEmpty { try labels.append(Data(labelText.utf8)); try labels.sync() }
        if !failureText.isEmpty { try failures.append(Data(failureText.utf8)); try failures.sync() }
        if !indexText.isEmpty { try index.append(Data(indexText.utf8)); try index.sync() }
        if !vectors.isEmpty {
            try embeddings.append(vectors)
            try writeHeader()
            try embeddings.sync()
        }
        let line = CheckpointLine(labels: labels.length, failures: failures.length, index: index.length, rows: rows,
                                  counts: counts, finished: outcomes.filter(\.isFinished).map(\.name))
        try checkpoint.append(Data(BatchRecords.json(line).utf8))
        try checkpoint.sync()
    }

    func label(_ outcome: BatchOutcome, _ labels: [Label]) -> BatchRecords.LabelLine {
        BatchRecords.LabelLine(path: outcome.name, sha256: outcome.sha256 ?? "", model: description.model,
                               model_version: description.model_version, labels: labels)
    }

    /// One .npy row: exactly `dims` values (padded or cut if the model disagreed with its
    /// manifest, so rows never shift), little-endian, as the catalog encodes embeddings.
    static func row(_ values: [Float], dims: Int, dtype: EmbeddingDType) -> Data {
        var fitted = Array(values.prefix(dims))
        if fitted.count < dims { fitted += [Float](repeating: 0, count: dims - fitted.count) }
        return EmbeddingRecord(sha256: "", model: "", floats: fitted, dtype: dtype).vector
    }
}
