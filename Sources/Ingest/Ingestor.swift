import Catalog
import Classification
import Foundation
import Hashing
import ImageDecoding
import Storage

/// Ingests image files: stores each distinct content once, catalogues it with its labels,
/// embedding and perceptual hash, and adds it to the duplicate indexes.
///
/// Per file: hash → look up (an exact duplicate stops here) → decode once → perceptual hash and
/// model tensor → (batched) classify and embed, while the bytes are stored → write the catalog
/// rows in one transaction → index. The bytes are stored before the catalog row is written, so a crash
/// in between leaves at worst an unreferenced object, never a row without its object; and a
/// file that does not decode is rejected before anything is stored.
public struct Ingestor: Sendable {
    public let workspace: Workspace
    public let pipeline: ClassificationPipeline
    public let indexes: DuplicateIndexes

    public var classifier: Classifier { pipeline.classifier }

    public init(workspace: Workspace, pipeline: ClassificationPipeline, indexes: DuplicateIndexes) {
        var pipeline = pipeline
        pipeline.embeddings = true  // the similar tier needs every image's embedding
        self.workspace = workspace
        self.pipeline = pipeline
        self.indexes = indexes
    }

    /// Counts for the closing summary.
    public struct Summary: Sendable {
        public var new = 0
        public var duplicates = 0
        public var failed = 0
        /// Set when the indexes could not be saved; they are rebuilt from the catalog next time.
        public var indexWarning: String?
    }

    /// A file after the parallel stage: either known already, or decoded and ready for the model.
    struct Candidate: Sendable {
        enum State: Sendable {
            case known(ImageRecord)
            case fresh(bytes: [UInt8], image: PreparedImage, codes: PerceptualCodes)
            case failed(IngestError)
        }
        var path: String
        var sha256: String?
        var state: State
    }

    /// Ingests `paths` in batches, reporting each file's result in input order.
    @discardableResult
    public func ingest(_ paths: [String], report: (IngestResult) async -> Void) async -> Summary {
        var summary = Summary()
        await OverlappedBatches.run(
            paths, batchSize: pipeline.batchSize, concurrency: pipeline.decodeConcurrency,
            prepare: { [self] path in await candidate(path) },
            process: { batch in
                for result in await commit(batch) {
                    switch result.status {
                    case .new: summary.new += 1
                    case .duplicate: summary.duplicates += 1
                    case .error: summary.failed += 1
                    }
                    await report(result)
                }
            }
        )
        do {
            try await indexes.save()
        } catch {
            summary.indexWarning = "\(error); the indexes will be rebuilt from the catalog on the next run"
        }
        return summary
    }

    /// Reads, hashes, looks up and decodes one file.
    func candidate(_ path: String) async -> Candidate {
        let bytes: [UInt8]
        do {
            bytes = try FileReader.read(path, maxBytes: classifier.decoder.limits.maxBytes)
        } catch {
            return Candidate(path: path, sha256: nil, state: .failed(.classification(error)))
        }
        let sha256 = ContentHash(of: bytes).hex
        do {
            if let existing = try await workspace.catalog.image(sha256: sha256) {
                return Candidate(path: path, sha256: sha256, state: .known(existing))
            }
        } catch {
            return Candidate(path: path, sha256: sha256, state: .failed(.catalog(error)))
        }
        do {
            var prepared = try classifier.prepare(bytes, sha256: sha256, keepImage: true)
            let codes = PerceptualCodes(image: prepared.image!)
            prepared.image = nil
            return Candidate(path: path, sha256: sha256, state: .fresh(bytes: bytes, image: prepared, codes: codes))
        } catch {
            return Candidate(path: path, sha256: sha256, state: .failed(.classification(error)))
        }
    }

    /// Classifies the batch's new images, stores them, catalogues them and indexes them.
    func commit(_ batch: [Candidate]) async -> [IngestResult] {
        var results = [IngestResult?](repeating: nil, count: batch.count)
        var fresh: [Fresh] = []
        var seen: [String: Int] = [:]
        for (index, candidate) in batch.enumerated() {
            switch candidate.state {
            case .failed(let error):
                results[index] = IngestResult(path: candidate.path, sha256: candidate.sha256, status: .error, error: error, labels: [])
            case .known(let record):
                results[index] = await duplicateResult(candidate.path, of: record.sha256)
            case .fresh(let bytes, let image, let codes):
                if let first = seen[image.sha256] {
                    // The same bytes twice in one batch: the first copy is the one stored.
                    results[index] = IngestResult(path: candidate.path, sha256: image.sha256, status: .duplicate,
                                                  labels: [], duplicateOf: batch[first].sha256)
                } else {
                    seen[image.sha256] = index
                    fresh.append(Fresh(index: index, bytes: bytes, image: image, codes: codes))
                }
            }
        }
        guard !fresh.isEmpty else { return results.map { $0! } }

        // The bytes are stored while the model runs (each put fsyncs, so they go in parallel):
        // they decoded, so they are valid images, and the catalog rows are written only after
        // both the store and the model have succeeded.
        async let stored = store(fresh)
        let predictions: [Prediction]
        do {
            predictions = try await pipeline.classify(fresh.map(\.image))
        } catch {
            _ = await stored
            for item in fresh {
                results[item.index] = IngestResult(path: batch[item.index].path, sha256: item.image.sha256, status: .error,
                                                   error: .classification(error), labels: [])
            }
            return results.map { $0! }
        }
        let failures = await stored

        for (item, prediction) in zip(fresh, predictions) {
            let path = batch[item.index].path
            if let error = failures[item.index] {
                results[item.index] = IngestResult(path: path, sha256: item.image.sha256, status: .error, error: .storage(error), labels: [])
                continue
            }
            results[item.index] = await catalogue(path: path, item: item, prediction: prediction)
        }
        return results.map { $0! }
    }

    /// Puts every new object, in parallel; returns the failures by batch index.
    func store(_ fresh: [Fresh]) async -> [Int: StorageError] {
        let store = workspace.store
        return await withTaskGroup(of: (Int, StorageError?).self) { group in
            for item in fresh {
                group.addTask {
                    do throws(StorageError) {
                        _ = try await store.put(item.bytes, key: item.image.sha256, mediaType: item.image.header.format.mimeType)
                        return (item.index, nil)
                    } catch {
                        return (item.index, error)
                    }
                }
            }
            var failures: [Int: StorageError] = [:]
            for await (index, error) in group { if let error { failures[index] = error } }
            return failures
        }
    }

    /// A new image of the batch, waiting for its prediction.
    struct Fresh: Sendable {
        var index: Int
        var bytes: [UInt8]
        var image: PreparedImage
        var codes: PerceptualCodes
    }

    func catalogue(path: String, item: Fresh, prediction: Prediction) async -> IngestResult {
        let header = item.image.header
        let image = NewImage(sha256: item.image.sha256, bytes: item.bytes.count, format: header.format.rawValue,
                             width: header.displayWidth, height: header.displayHeight, phash: item.codes.full.value,
                             phashCrops: item.codes.crops.map(\.value), sourceName: URL(fileURLWithPath: path).lastPathComponent,
                             animated: header.isAnimated)
        let labels = prediction.labels.map { StoredLabel(index: $0.index, name: $0.name, score: $0.score) }
        let raw = prediction.embedding ?? []
        do {
            var embeddings = [EmbeddingRecord(sha256: image.sha256, model: prediction.model, floats: raw)]
            if let reduced = try await indexes.reducedEmbedding(raw) {
                embeddings.append(EmbeddingRecord(sha256: image.sha256, model: reduced.model, floats: reduced.vector, dtype: reduced.dtype))
            }
            let (record, inserted) = try await workspace.catalog.record(
                image: image,
                predictions: [PredictionRecord(sha256: image.sha256, model: prediction.model, modelVersion: prediction.modelVersion, labels: labels)],
                embeddings: embeddings)
            guard inserted else { return await duplicateResult(path, of: record.sha256) }
            try await indexes.add(id: record.id, codes: item.codes, embedding: raw)
            return IngestResult(path: path, sha256: record.sha256, status: .new, labels: prediction.labels)
        } catch let error as CatalogError {
            return IngestResult(path: path, sha256: image.sha256, status: .error, error: .catalog(error), labels: [])
        } catch let error as IngestError {
            return IngestResult(path: path, sha256: image.sha256, status: .error, error: error, labels: [])
        } catch {
            return IngestResult(path: path, sha256: image.sha256, status: .error, error: .workspace("\(error)"), labels: [])
        }
    }

    /// A duplicate's result, with the labels the catalog already holds for this model.
    func duplicateResult(_ path: String, of sha256: String) async -> IngestResult {
        let stored = try? await workspace.catalog.prediction(
            sha256: sha256, model: classifier.model.name, modelVersion: classifier.resultVersion)
        let labels = stored?.labels.map { Label(index: $0.index, name: $0.name, score: $0.score) } ?? []
        return IngestResult(path: path, sha256: sha256, status: .duplicate, labels: labels, duplicateOf: sha256)
    }
}
