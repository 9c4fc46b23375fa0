import Catalog
import Classification
import Foundation
import Hashing
import Storage

/// The offline pipeline: a folder, manifest or bucket in; labels, embeddings and failures out.
///
/// Stages: read → hash → decode (DCT-scaled, `decodeWorkers` at once) → batch → infer (one
/// batch per model session, sessions side by side) → write (append, fsync, checkpoint). Reading
/// and decoding the next batch overlaps the model's work on the current one
/// (`OverlappedBatches`, as `classify` and `ingest` do), and writing a batch overlaps the next
/// batch's inference, so the model waits for neither. Memory stays bounded at about three
/// batches of tensors whatever the number of images.
public struct BatchPipeline: Sendable {
    /// One per model session; each runs its batches on its own queue.
    public let lanes: [ClassificationPipeline]
    public var configuration: BatchConfiguration

    public var classifier: Classifier { lanes[0].classifier }

    public init(classifiers: [Classifier], configuration: BatchConfiguration) throws(BatchError) {
        guard let first = classifiers.first else { throw .model("a batch run needs at least one model session") }
        guard first.model.outputs["embedding"] != nil, let dims = first.model.embeddingDims, dims > 0 else {
            throw .model("\(first.model.name) has no embedding output in models.json; batch runs write embeddings")
        }
        self.lanes = classifiers.map {
            ClassificationPipeline(classifier: $0, batchSize: configuration.batchSize, decodeConcurrency: configuration.decodeWorkers,
                                   top: configuration.top, embeddings: true)
        }
        self.configuration = configuration
    }

    /// Progress after each batch: items looked at so far in this run (of `total`), and how many
    /// of them the model labelled.
    public struct Progress: Sendable {
        public var examined: Int
        public var total: Int
        public var counts: BatchCounts
    }

    /// Runs the job over `source` into `output`, resuming what an earlier run there left.
    ///
    /// Throws only for problems with the whole run (the source cannot be listed, the output
    /// cannot be written); bad images go to failures.jsonl.
    public func run(_ source: BatchSource, output directory: URL, catalog: (any Catalog)? = nil,
                    progress: (Progress) async -> Void = { _ in }) async throws(BatchError) -> BatchSummary {
        do {
            return try await source.withStore { store in
                try await run(source, store: store, output: directory, catalog: catalog, progress: progress)
            }
        } catch let error as BatchError {
            throw error
        } catch {
            throw .source("the source's store: \(error)")
        }
    }

    private func run(_ source: BatchSource, store: (any ObjectStore)?, output directory: URL, catalog: (any Catalog)?,
                     progress: (Progress) async -> Void) async throws(BatchError) -> BatchSummary {
        let started = ContinuousClock.now
        let cpuAtStart = CPUTime.process()
        var items = try await source.items(store: store)
        let shard = configuration.shard
        if source.shardsByPosition && shard.count > 1 {
            items = items.enumerated().filter { shard.owns(position: $0.offset) }.map(\.element)
        }
        let model = classifier.model
        let output = try BatchOutput(directory: directory, description: .init(
            model: model.name, model_version: classifier.resultVersion, format: configuration.format,
            embedding_dtype: configuration.embeddingDType, embedding_dims: model.embeddingDims ?? 0,
            shard: shard.description, top: configuration.top))
        let resume = try output.resume()
        let countsBefore = output.counts
        let pending = items.filter { !resume.finished.contains($0.name) }

        var state = RunState(lanes: lanes, batchSize: configuration.batchSize, catalog: catalog, output: output)
        for (sha256, labels) in resume.known { state.seen[sha256] = .labelled(labels) }
        for (sha256, message) in resume.failed { state.seen[sha256] = .failed(message) }
        let known = KnownContent(Set(state.seen.keys))
        let reader = ItemReader(classifier: classifier, store: store, shard: source.shardsByPosition ? .whole : shard,
                                keepImage: catalog != nil, known: known)
        let concurrency = store == nil ? configuration.decodeWorkers : configuration.decodeWorkers * 4

        // The first event comes before any work, so a progress bar's clock starts with the run.
        await progress(Progress(examined: 0, total: pending.count, counts: output.counts))
        var examined = 0
        // Time between one batch's end in this stage and the next batch's arrival: the model
        // sat idle waiting for reading and decoding.
        var waitedForDecode = 0.0
        var lastBatchEnd: ContinuousClock.Instant?
        await OverlappedBatches.run(
            pending, batchSize: configuration.batchSize * lanes.count, concurrency: concurrency,
            prepare: { item in await reader.prepare(item) },
            process: { batch in
                if let lastBatchEnd { waitedForDecode += (ContinuousClock.now - lastBatchEnd).seconds }
                defer { lastBatchEnd = ContinuousClock.now }
                guard state.failure == nil else { return }
                for prepared in batch { await state.add(prepared, known: known) }
                examined += batch.count
                if state.freshCount >= configuration.batchSize * lanes.count { await state.flush() }
                await progress(Progress(examined: examined, total: pending.count, counts: state.writtenCounts))
                if state.failure != nil { await known.stop() }
            }
        )
        await state.flush()
        await state.finishWriting()
        if let failure = state.failure { throw failure }
        await progress(Progress(examined: examined, total: pending.count, counts: state.writtenCounts))

        let cpu = CPUTime.process() - cpuAtStart
        var run = output.counts
        run.classified -= countsBefore.classified
        run.duplicates -= countsBefore.duplicates
        run.failed -= countsBefore.failed
        run.skipped -= countsBefore.skipped
        return BatchSummary(
            listed: items.count, resumed: items.count - pending.count, run: run, total: output.counts,
            seconds: (ContinuousClock.now - started).seconds, cpuSeconds: cpu,
            decodeCPUSeconds: state.decodeCPUSeconds, inferenceSeconds: state.inferenceSeconds,
            modelWaitSeconds: waitedForDecode,
            batches: state.batches, unreachable: state.unreachable, output: directory)
    }
}
