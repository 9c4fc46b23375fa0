import Catalog
import Classification
import Foundation
import Hashing
import ImageDecoding
import Ingest
import Jobs
import Storage
import Submissions

/// Runs `image.analyse` jobs: reads the stored bytes, decodes once for the model tensor and the
/// perceptual hashes, classifies and embeds the whole batch in one model call, records image,
/// prediction and embedding in one catalog transaction (as `Ingestor` does), then looks up near
/// duplicates. Its events go out with the job's completion.
///
/// Idempotent by construction: every catalog write is an upsert keyed by sha256 and model, so a
/// job run twice (its first worker died after writing) leaves one row per model. A first attempt
/// that finds the prediction and embedding already there skips the model.
public struct ImageAnalysisHandler: JobHandler {
    public let kind = ImageJob.kind
    public let workspace: Workspace
    public let pipeline: ClassificationPipeline
    public let index: IndexFollower
    public let thresholds: DuplicateThresholds
    /// Where decoding and hashing run: threads apart from the cooperative pool (a decode blocks
    /// for up to seconds, and the worker shares its process with `serve`), shared with the
    /// online path in `serve` so the two together stay within one bound.
    public let decodePool: DecodePool
    /// The process's pixel memory; shared with the online path in `serve`.
    public let decodeBudget: DecodeBudget
    /// How long a job waits for pixel memory before it is put back for later.
    public let decodeWait: Duration

    public var batchSize: Int { pipeline.batchSize }
    var model: String { pipeline.classifier.model.name }
    var modelVersion: String { pipeline.classifier.resultVersion }

    public init(workspace: Workspace, pipeline: ClassificationPipeline, index: IndexFollower,
                thresholds: DuplicateThresholds = .default, decodePool: DecodePool, decodeBudget: DecodeBudget,
                decodeWait: Duration = .seconds(60)) {
        var pipeline = pipeline
        pipeline.embeddings = true
        self.workspace = workspace
        self.pipeline = pipeline
        self.index = index
        self.thresholds = thresholds
        self.decodePool = decodePool
        self.decodeBudget = decodeBudget
        self.decodeWait = decodeWait
    }

    /// One job after reading and decoding.
    enum Stage: Sendable {
        case finished(JobOutcome)
        case ready(job: ImageJob, attempt: Int, bytes: Int, image: PreparedImage, codes: PerceptualCodes)
    }

    public func handle(_ jobs: [Job]) async -> [JobOutcome] {
        let stages = await prepare(jobs)
        let ready = stages.enumerated().compactMap { index, stage -> (Int, PreparedImage)? in
            if case .ready(_, _, _, let image, _) = stage { return (index, image) }
            return nil
        }
        var outcomes: [JobOutcome?] = stages.map { if case .finished(let outcome) = $0 { outcome } else { nil } }
        guard !ready.isEmpty else { return outcomes.map { $0! } }
        let predictions: [Prediction]
        do throws(ClassificationError) {
            predictions = try await pipeline.classify(ready.map(\.1))
        } catch {
            for (index, _) in ready { outcomes[index] = .retry(reason: "the model failed: \(error)") }
            return outcomes.map { $0! }
        }
        var recorded: [(index: Int, id: Int64, job: ImageJob, codes: PerceptualCodes, events: [NewEvent])] = []
        for ((index, _), prediction) in zip(ready, predictions) {
            guard case .ready(let job, let attempt, let bytes, let image, let codes) = stages[index] else { continue }
            do {
                let (id, events) = try await record(job: job, attempt: attempt, bytes: bytes, image: image, codes: codes,
                                                    prediction: prediction)
                recorded.append((index, id, job, codes, events))
            } catch {
                outcomes[index] = .retry(reason: "\(error)")
            }
        }
        // Duplicates are looked up after the whole batch is recorded, so two near copies in one
        // batch find each other.
        do {
            try await index.catchUp()
        } catch {
            for item in recorded { outcomes[item.index] = .retry(reason: "the duplicate index cannot catch up: \(error)") }
            return outcomes.map { $0! }
        }
        for item in recorded {
            var events = item.events
            do {
                if let found = try await duplicates(of: item.id, codes: item.codes, sha256: item.job.sha256) {
                    events.append(found)
                }
                outcomes[item.index] = .done(events: events)
            } catch {
                outcomes[item.index] = .retry(reason: "\(error)")
            }
        }
        return outcomes.map { $0! }
    }

    /// Reads, verifies and decodes each job's bytes, in parallel; decides the jobs that need no model.
    func prepare(_ jobs: [Job]) async -> [Stage] {
        // At most `decodeConcurrency` in flight; no nested function mutating the group (the
        // release build of Swift 6.3 miscompiles that form, see `BatchSubmitter.accept`).
        let work: @Sendable (Int) async -> (Int, Stage) = { index in (index, await self.stage(jobs[index])) }
        return await withTaskGroup(of: (Int, Stage).self) { group in
            var stages = [Stage?](repeating: nil, count: jobs.count)
            var pending = jobs.indices.makeIterator()
            for _ in 0..<min(jobs.count, max(1, pipeline.decodeConcurrency)) {
                if let index = pending.next() { group.addTask { await work(index) } }
            }
            for await (index, stage) in group {
                stages[index] = stage
                if let index = pending.next() { group.addTask { await work(index) } }
            }
            return stages.map { $0! }
        }
    }

    func stage(_ job: Job) async -> Stage {
        let payload: ImageJob
        do { payload = try job.decodePayload(ImageJob.self) } catch { return .finished(.fail(reason: "\(error)")) }
        guard payload.model == model, payload.modelVersion == modelVersion else {
            return .finished(.fail(reason: "the job asks for \(payload.model) \(payload.modelVersion) but this worker runs "
                + "\(model) \(modelVersion): run a worker with --model \(payload.model)"))
        }
        let catalog = workspace.catalog
        if job.attempts == 1,
           (try? await catalog.prediction(sha256: payload.sha256, model: model, modelVersion: modelVersion)) != nil,
           (try? await catalog.embedding(sha256: payload.sha256, model: model)) != nil {
            return .finished(.done(events: []))
        }
        let bytes: [UInt8]
        do throws(StorageError) {
            bytes = try await workspace.store.get(payload.sha256)
        } catch {
            if case .notFound = error {
                return .finished(.fail(reason: "the image \(payload.sha256) is missing from the object store; submit it again"))
            }
            return .finished(.retry(reason: "object store: \(error)"))
        }
        let classifier = pipeline.classifier
        let cost: Int
        do throws(DecodeError) {
            cost = ImageDecoder.peakBytes(for: try ImageHeader.read(bytes, limits: classifier.decoder.limits),
                                          minimumShorterSide: classifier.preprocessing.shorterSide)
        } catch {
            return .finished(.fail(reason: ClassificationError.decode(error).description))
        }
        do {
            try await decodeBudget.reserve(cost, waiting: decodeWait)
        } catch {
            switch error {
            case .tooLarge: return .finished(.fail(reason: error.description))
            case .busy: return .finished(.retry(reason: error.description))
            }
        }
        defer { decodeBudget.release(cost) }
        do {
            // The content check rides with the decode on the decode threads: a 20 MB object's
            // SHA-256 is tens of milliseconds that must not hold one of the few threads every
            // task of the process shares, nor wait in the decode queue a second time.
            let prepared = try await decodePool.run { () throws(ClassificationError) -> (PreparedImage, PerceptualCodes)? in
                guard ContentHash(of: bytes).hex == payload.sha256 else { return nil }
                var image = try classifier.prepare(bytes, sha256: payload.sha256, keepImage: true)
                let codes = PerceptualCodes(image: image.image!)
                image.image = nil
                return (image, codes)
            }
            guard let (image, codes) = prepared else {
                return .finished(.fail(reason: "the stored object \(payload.sha256) does not hash to its key: the store is damaged"))
            }
            return .ready(job: payload, attempt: job.attempts, bytes: bytes.count, image: image, codes: codes)
        } catch let error as ClassificationError {
            return .finished(.fail(reason: error.description))
        } catch {
            return .finished(.retry(reason: "\(error)"))
        }
    }

    /// The catalog rows, in one transaction; returns the image id and the events to publish.
    ///
    /// `image.ingested` goes out when this call created the image, or on a retry: an earlier
    /// attempt may have created it and died before its events were committed with the job.
    func record(job: ImageJob, attempt: Int, bytes: Int, image: PreparedImage, codes: PerceptualCodes,
                prediction: Prediction) async throws -> (Int64, [NewEvent]) {
        let header = image.header
        let newImage = NewImage(sha256: job.sha256, bytes: bytes, format: header.format.rawValue, width: header.displayWidth,
                                height: header.displayHeight, phash: codes.full.value, phashCrops: codes.crops.map(\.value),
                                sourceName: job.name, animated: header.isAnimated)
        let labels = prediction.labels.map { StoredLabel(index: $0.index, name: $0.name, score: $0.score) }
        let raw = prediction.embedding ?? []
        var embeddings = [EmbeddingRecord(sha256: job.sha256, model: prediction.model, floats: raw)]
        if let reduced = try await index.indexes.reducedEmbedding(raw) {
            embeddings.append(EmbeddingRecord(sha256: job.sha256, model: reduced.model, floats: reduced.vector, dtype: reduced.dtype))
        }
        let (record, inserted) = try await workspace.catalog.record(
            image: newImage,
            predictions: [PredictionRecord(sha256: job.sha256, model: prediction.model, modelVersion: prediction.modelVersion, labels: labels)],
            embeddings: embeddings)
        var events: [NewEvent] = []
        if inserted || attempt > 1 {
            events.append(try NewEvent(kind: EventKind.imageIngested, subject: job.sha256, body: IngestedBody(
                sha256: job.sha256, name: job.name, format: newImage.format, width: newImage.width, height: newImage.height,
                bytes: bytes, animated: newImage.animated)))
        }
        events.append(try NewEvent(kind: EventKind.imageLabelled, subject: job.sha256, body: LabelledBody(
            sha256: job.sha256, model: prediction.model, modelVersion: prediction.modelVersion, labels: labels)))
        events.append(try NewEvent(kind: EventKind.imageEmbedded, subject: job.sha256, body: EmbeddedBody(
            sha256: job.sha256, model: prediction.model, dims: raw.count)))
        return (record.id, events)
    }

    func duplicates(of id: Int64, codes: PerceptualCodes, sha256: String) async throws -> NewEvent? {
        let near = try await index.near(codes, excluding: id, maxDistance: thresholds.nearDistance)
        guard !near.isEmpty else { return nil }
        let hashes = Dictionary(uniqueKeysWithValues: try await workspace.catalog.images(ids: near.map(\.id)).map { ($0.id, $0.sha256) })
        let found = near.compactMap { hit in hashes[hit.id].map { DuplicateFoundBody.Near(sha256: $0, distance: hit.distance) } }
            .filter { $0.sha256 != sha256 }
        guard !found.isEmpty else { return nil }
        return try NewEvent(kind: EventKind.imageDuplicateFound, subject: sha256, body: DuplicateFoundBody(sha256: sha256, near: found))
    }
}
