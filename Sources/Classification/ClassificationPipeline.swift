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
    let executor = BlockingExecutor(label: "lenscale.inference")

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

    /// Classifies `paths`, handing each outcome to `report` in input order.
    public func run(_ paths: [String], report: (Item) async -> Void) async {
        let batches = stride(from: 0, to: paths.count, by: batchSize).map { start in
            Array(paths.indices[start..<min(start + batchSize, paths.count)])
        }
        guard !batches.isEmpty else { return }
        var prepared = await prepare(batches[0], paths: paths)
        for next in batches.indices {
            async let upcoming = next + 1 < batches.count ? prepare(batches[next + 1], paths: paths) : []
            for item in await infer(prepared, paths: paths) { await report(item) }
            prepared = await upcoming
        }
    }

    /// Reads and decodes one batch's files in parallel, keeping their order.
    func prepare(_ indices: [Int], paths: [String]) async -> [(Int, Result<PreparedImage, ClassificationError>)] {
        let classifier = self.classifier
        let maxBytes = classifier.decoder.limits.maxBytes
        return await withTaskGroup(of: (Int, Result<PreparedImage, ClassificationError>).self) { group in
            var results: [(Int, Result<PreparedImage, ClassificationError>)] = []
            var pending = indices.makeIterator()
            func addNext() {
                guard let index = pending.next() else { return }
                let path = paths[index]
                group.addTask {
                    do throws(ClassificationError) {
                        let bytes = try FileReader.read(path, maxBytes: maxBytes)
                        return (index, .success(try classifier.prepare(bytes)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            for _ in 0..<decodeConcurrency { addNext() }
            for await result in group {
                results.append(result)
                addNext()
            }
            return results.sorted { $0.0 < $1.0 }
        }
    }

    func infer(_ prepared: [(Int, Result<PreparedImage, ClassificationError>)], paths: [String]) async -> [Item] {
        let ready = prepared.compactMap { index, result in (try? result.get()).map { (index, $0) } }
        var outcomes: [Int: Result<Prediction, ClassificationError>] = [:]
        for (index, result) in prepared {
            if case .failure(let error) = result { outcomes[index] = .failure(error) }
        }
        if !ready.isEmpty {
            let (classifier, top, embeddings) = (self.classifier, self.top, self.embeddings)
            let images = ready.map(\.1)
            do throws(ClassificationError) {
                let predictions = try await executor.run { () throws(ClassificationError) in
                    try classifier.classify(images, top: top, embeddings: embeddings)
                }
                for ((index, _), prediction) in zip(ready, predictions) { outcomes[index] = .success(prediction) }
            } catch {
                for (index, _) in ready { outcomes[index] = .failure(error) }
            }
        }
        return prepared.map { index, _ in Item(index: index, path: paths[index], result: outcomes[index]!) }
    }
}
