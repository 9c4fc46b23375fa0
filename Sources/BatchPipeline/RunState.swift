import Catalog
import Classification
import Foundation

/// The in-order half of a run: decides duplicates, batches fresh images for the model sessions,
/// and hands finished batches to the writer, one write in flight at a time.
///
/// Items are buffered until the buffer holds a full batch for every session, so a shard that
/// skips most of its listing still runs the model on full batches, and a duplicate can take its
/// labels from an earlier item of the same buffer.
struct RunState {
    enum Seen: Sendable {
        case pending
        case labelled([Label])
        case failed(String)
    }

    /// A buffered item: its outcome is known, or waits for the model (`fresh`) or for the earlier
    /// item with the same bytes (`duplicate`).
    enum Entry {
        case done(BatchOutcome)
        case fresh(name: String, sha256: String, image: PreparedImage, facts: ImageFacts)
        case duplicate(name: String, sha256: String)
    }

    let lanes: [ClassificationPipeline]
    let batchSize: Int
    let catalog: (any Catalog)?
    let output: BatchOutput
    let writer = BackgroundThreads(count: 1, name: "batch-writer")
    var seen: [String: Seen] = [:]
    var buffer: [Entry] = []
    var freshCount = 0
    var writing: Task<BatchError?, Never>?
    var failure: BatchError?
    /// Counts of what has been handed to the writer, for progress.
    var writtenCounts = BatchCounts()
    var decodeCPUSeconds = 0.0
    var inferenceSeconds = 0.0
    var batches = 0
    /// Items the store could not be reached for, left for a rerun.
    var unreachable = 0

    init(lanes: [ClassificationPipeline], batchSize: Int, catalog: (any Catalog)?, output: BatchOutput) {
        self.lanes = lanes
        self.batchSize = batchSize
        self.catalog = catalog
        self.output = output
        writtenCounts = output.counts
    }

    mutating func add(_ prepared: ItemReader.Prepared, known: KnownContent) async {
        decodeCPUSeconds += prepared.cpuSeconds
        let name = prepared.item.name
        switch prepared.state {
        case .skipped:
            buffer.append(.done(BatchOutcome(name: name, sha256: prepared.sha256, kind: .skipped)))
        case .unreachable(let message):
            unreachable += 1
            buffer.append(.done(BatchOutcome(name: name, sha256: nil, kind: .unreachable(message: message))))
        case .failed(let code, let message):
            if let sha256 = prepared.sha256, seen[sha256] == nil {
                seen[sha256] = .failed(message)
                await known.insert(sha256)
            }
            buffer.append(.done(BatchOutcome(name: name, sha256: prepared.sha256, kind: .failed(code: code, message: message))))
        case .known:
            buffer.append(.duplicate(name: name, sha256: prepared.sha256!))
        case .fresh(let image, let facts):
            if seen[image.sha256] != nil {
                buffer.append(.duplicate(name: name, sha256: image.sha256))
            } else {
                seen[image.sha256] = .pending
                await known.insert(image.sha256)
                buffer.append(.fresh(name: name, sha256: image.sha256, image: image, facts: facts))
                freshCount += 1
            }
        }
    }

    /// Runs the model on the buffered fresh images, one batch per session at once, resolves the
    /// buffer's outcomes in order and starts writing them.
    mutating func flush() async {
        guard !buffer.isEmpty, failure == nil else { return }
        let entries = buffer
        buffer = []
        freshCount = 0
        var fresh: [(position: Int, image: PreparedImage)] = []
        for (position, entry) in entries.enumerated() {
            if case .fresh(_, _, let image, _) = entry { fresh.append((position, image)) }
        }
        var predictions: [Int: Result<Prediction, ClassificationError>] = [:]
        if !fresh.isEmpty {
            let started = ContinuousClock.now
            let chunks = stride(from: 0, to: fresh.count, by: batchSize).map { Array(fresh[$0..<min($0 + batchSize, fresh.count)]) }
            let lanes = self.lanes
            let results = await withTaskGroup(of: (Int, Result<[Prediction], ClassificationError>).self) { group in
                for (number, chunk) in chunks.enumerated() {
                    let lane = lanes[number % lanes.count]
                    group.addTask {
                        do throws(ClassificationError) {
                            return (number, .success(try await lane.classify(chunk.map(\.image))))
                        } catch {
                            return (number, .failure(error))
                        }
                    }
                }
                var results: [Int: Result<[Prediction], ClassificationError>] = [:]
                for await (number, result) in group { results[number] = result }
                return results
            }
            inferenceSeconds += (ContinuousClock.now - started).seconds * Double(min(lanes.count, chunks.count))
            batches += chunks.count
            for (number, chunk) in chunks.enumerated() {
                switch results[number]! {
                case .success(let list):
                    for (item, prediction) in zip(chunk, list) { predictions[item.position] = .success(prediction) }
                case .failure(let error):
                    for item in chunk { predictions[item.position] = .failure(error) }
                }
            }
        }

        var outcomes: [BatchOutcome] = []
        outcomes.reserveCapacity(entries.count)
        for (position, entry) in entries.enumerated() {
            switch entry {
            case .done(let outcome):
                outcomes.append(outcome)
            case .fresh(let name, let sha256, _, let facts):
                switch predictions[position]! {
                case .success(let prediction):
                    seen[sha256] = .labelled(prediction.labels)
                    outcomes.append(BatchOutcome(name: name, sha256: sha256, kind: .classified(
                        labels: prediction.labels, embedding: prediction.embedding ?? [], image: facts)))
                case .failure(let error):
                    seen[sha256] = .failed(error.description)
                    outcomes.append(BatchOutcome(name: name, sha256: sha256, kind: .failed(code: error.code, message: error.description)))
                }
            case .duplicate(let name, let sha256):
                switch seen[sha256] {
                case .labelled(let labels):
                    outcomes.append(BatchOutcome(name: name, sha256: sha256, kind: .duplicate(labels: labels)))
                case .failed(let message):
                    outcomes.append(BatchOutcome(name: name, sha256: sha256, kind: .failed(
                        code: "duplicate_of_failed", message: "the same bytes as an earlier file, which failed: \(message)")))
                case .pending, nil:
                    // Unreachable: the first copy is always earlier in the same or a flushed buffer.
                    outcomes.append(BatchOutcome(name: name, sha256: sha256, kind: .failed(code: "internal", message: "duplicate of unknown content")))
                }
            }
        }
        for outcome in outcomes { writtenCounts.add(outcome.kind) }
        await write(outcomes)
    }

    /// Waits for the previous batch's write, then starts this one's: catalog rows first (a
    /// rejected row becomes a failure), then the files and the checkpoint on the writer's queue.
    mutating func write(_ outcomes: [BatchOutcome]) async {
        if let previous = await writing?.value { failure = previous }
        guard failure == nil else { return }
        let (output, catalog, writer) = (self.output, self.catalog, self.writer)
        writing = Task {
            var outcomes = outcomes
            if let catalog { outcomes = await Self.record(outcomes, in: catalog, model: output.description) }
            let final = outcomes
            do throws(BatchError) {
                try await writer.run { () throws(BatchError) in try output.append(final) }
                return nil
            } catch {
                return error
            }
        }
    }

    mutating func finishWriting() async {
        if let last = await writing?.value { failure = failure ?? last }
        writing = nil
    }

    /// Upserts each labelled image with its prediction and embedding, as `ingest` records them.
    static func record(_ outcomes: [BatchOutcome], in catalog: any Catalog, model: BatchOutput.RunDescription) async -> [BatchOutcome] {
        var result = outcomes
        for (position, outcome) in outcomes.enumerated() {
            guard case .classified(let labels, let embedding, let facts) = outcome.kind, let sha256 = outcome.sha256 else { continue }
            let image = NewImage(
                sha256: sha256, bytes: facts.bytes, format: facts.header.format.rawValue,
                width: facts.header.displayWidth, height: facts.header.displayHeight,
                phash: facts.codes?.full.value ?? 0, phashCrops: facts.codes?.crops.map(\.value) ?? [],
                sourceName: URL(fileURLWithPath: outcome.name).lastPathComponent, animated: facts.header.isAnimated)
            let prediction = PredictionRecord(sha256: sha256, model: model.model, modelVersion: model.model_version,
                                              labels: labels.map { StoredLabel(index: $0.index, name: $0.name, score: $0.score) })
            do {
                _ = try await catalog.record(image: image, predictions: [prediction],
                                             embeddings: [EmbeddingRecord(sha256: sha256, model: model.model, floats: embedding)])
            } catch {
                result[position].kind = .failed(code: "catalog", message: "the catalog refused the image: \(error)")
            }
        }
        return result
    }
}
