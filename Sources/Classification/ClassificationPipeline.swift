import Clocks
import ImageDecoding
import Inference

/// Classifies many files: reads and decodes in parallel, and overlaps the decoding of the next
/// batch with the model's work on the current one.
///
/// Memory stays bounded at two batches of tensors whatever the number of files.
public struct ClassificationPipeline: Sendable {
    public let classifier: Classifier
    public var batchSize: Int
    public var decodeConcurrency: Int
    public var top: Int
    public var embeddings: Bool
    let executor = BackgroundThreads(count: 1, name: "inference")

    public init(classifier: Classifier, batchSize: Int = 16, decodeConcurrency: Int = 2, top: Int = 5, embeddings: Bool = false) {
        self.classifier = classifier
        self.batchSize = max(1, batchSize)
        self.decodeConcurrency = max(1, decodeConcurrency)
        self.top = top
        self.embeddings = embeddings
    }

    /// One input's outcome.
    public struct Item: Sendable {
        public var index: Int
        public var path: String
        public var result: Result<Prediction, ClassificationError>
    }

    /// Where the time went, to tell whether decoding or the model limits throughput.
    public struct Statistics: Sendable {
        /// Seconds spent reading, hashing, decoding and resizing, summed over all decode tasks.
        public var prepareSeconds: Double = 0
        /// Seconds the model spent on batches.
        public var inferenceSeconds: Double = 0
        public var batches = 0
    }

    struct Prepared: Sendable {
        var index: Int
        var result: Result<PreparedImage, ClassificationError>
        var seconds: Double
    }

    /// Classifies `paths`, handing each outcome to `report` in input order.
    @discardableResult
    public func run(_ paths: [String], report: (Item) async -> Void) async -> Statistics {
        let classifier = self.classifier
        let maxBytes = classifier.decoder.limits.maxBytes
        var statistics = Statistics()
        await OverlappedBatches.run(
            Array(paths.indices), batchSize: batchSize, concurrency: decodeConcurrency,
            prepare: { index in
                let started = ContinuousClock.now
                do throws(ClassificationError) {
                    let image = try classifier.prepare(try FileReader.read(paths[index], maxBytes: maxBytes))
                    return Prepared(index: index, result: .success(image), seconds: (ContinuousClock.now - started).seconds)
                } catch {
                    return Prepared(index: index, result: .failure(error), seconds: (ContinuousClock.now - started).seconds)
                }
            },
            process: { batch in
                statistics.prepareSeconds += batch.reduce(0) { $0 + $1.seconds }
                let started = ContinuousClock.now
                let items = await infer(batch, paths: paths)
                statistics.inferenceSeconds += (ContinuousClock.now - started).seconds
                statistics.batches += 1
                for item in items { await report(item) }
            }
        )
        return statistics
    }

    func infer(_ batch: [Prepared], paths: [String]) async -> [Item] {
        let ready = batch.compactMap { item in (try? item.result.get()).map { (item.index, $0) } }
        var predictions: [Int: Result<Prediction, ClassificationError>] = [:]
        if !ready.isEmpty {
            do throws(ClassificationError) {
                let results = try await classify(ready.map(\.1))
                for ((index, _), prediction) in zip(ready, results) { predictions[index] = .success(prediction) }
            } catch {
                for (index, _) in ready { predictions[index] = .failure(error) }
            }
        }
        return batch.map { item in
            let result: Result<Prediction, ClassificationError>
            switch item.result {
            case .failure(let error): result = .failure(error)
            case .success: result = predictions[item.index]!
            }
            return Item(index: item.index, path: paths[item.index], result: result)
        }
    }

    /// Runs the model off the cooperative pool; see `BackgroundThreads`.
    public func classify(_ images: [PreparedImage]) async throws(ClassificationError) -> [Prediction] {
        let (classifier, top, embeddings) = (self.classifier, self.top, self.embeddings)
        return try await executor.run { () throws(ClassificationError) in
            try classifier.classify(images, top: top, embeddings: embeddings)
        }
    }
}
