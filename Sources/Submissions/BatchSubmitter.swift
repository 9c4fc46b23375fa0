import Classification
import Hashing
import ImageDecoding
import Jobs
import Storage

/// Accepts a batch of images for background analysis: the one path behind `POST /v1/batches`
/// and `lenscale ingest --async`.
///
/// Each image's header is checked against the limits (no pixel is decoded here, so a bomb costs
/// microseconds); bad ones become failed items with the reason and the rest go on. The good
/// bytes are stored under their content address, durably, before the batch, its items and their
/// jobs are created in one transaction: when `submit` returns, every accepted image is safe and
/// queued, and a crash before that leaves at worst unreferenced objects.
public struct BatchSubmitter: Sendable {
    public let queue: any JobQueue
    public let store: any ObjectStore
    public let model: String
    public let modelVersion: String
    public let limits: DecodeLimits
    /// Parallel reads and puts; each put fsyncs (or is an S3 request), so they overlap well.
    public var concurrency: Int
    public var maxItems: Int

    public init(queue: any JobQueue, store: any ObjectStore, model: String, modelVersion: String,
                limits: DecodeLimits = .default, concurrency: Int = 8, maxItems: Int = 10_000) {
        self.queue = queue
        self.store = store
        self.model = model
        self.modelVersion = modelVersion
        self.limits = limits
        self.concurrency = max(1, concurrency)
        self.maxItems = maxItems
    }

    /// Validates and stores `uploads`, then creates the batch; returns its id and per-item receipts.
    public func submit(_ uploads: [BatchUpload], priority: JobPriority = .online) async throws(BatchSubmissionError) -> BatchReceipt {
        guard uploads.count <= maxItems else { throw .tooManyItems(count: uploads.count, limit: maxItems) }
        var remaining = uploads.makeIterator()
        return try await create(try await accept(priority: priority, next: { remaining.next() }, settled: { _ in }), priority: priority)
    }

    /// Like `submit(_:priority:)`, for uploads that arrive one at a time (the parts of a form
    /// as its body streams in): each is checked and stored while the next is still arriving, at
    /// most `concurrency` at once, and the next is asked for only when one of those is done, so
    /// a slow store slows the upload rather than piling images up in memory. `settled` hears of
    /// the bytes of each upload once it is stored (or refused), so they can be let go.
    ///
    /// The first failure to store, or the first error of `next`, ends the batch before it is
    /// created: nothing is enqueued, and what was stored is at worst unreferenced.
    public func submit<Failure: Error>(
        priority: JobPriority = .online, next: () async throws(Failure) -> BatchUpload?,
        settled: @Sendable (_ bytes: Int) -> Void = { _ in }
    ) async throws(BatchStreamError<Failure>) -> BatchReceipt {
        // The source's error ends the stream here and is thrown once the stores in flight are
        // done; the task group below stays free of generics and typed throws, a form the
        // release build of Swift 6.3 miscompiled (task results read back corrupt).
        var sourceError: Failure?
        let items: [NewBatchItem]
        do throws(BatchSubmissionError) {
            items = try await accept(priority: priority, next: {
                guard sourceError == nil else { return nil }
                do throws(Failure) {
                    return try await next()
                } catch {
                    sourceError = error
                    return nil
                }
            }, settled: settled)
        } catch {
            throw .submission(error)
        }
        if let sourceError { throw .upload(sourceError) }
        do throws(BatchSubmissionError) {
            return try await create(items, priority: priority)
        } catch {
            throw .submission(error)
        }
    }

    func create(_ items: [NewBatchItem], priority: JobPriority) async throws(BatchSubmissionError) -> BatchReceipt {
        guard !items.isEmpty else { throw .empty }
        do throws(JobQueueError) {
            return try await queue.createBatch(NewBatch(model: model, modelVersion: modelVersion, priority: priority, items: items))
        } catch {
            throw .queue(error)
        }
    }

    /// One upload checked and stored by a child task: its place, its bytes and the outcome.
    struct Settled: Sendable {
        var index: Int
        var bytes: Int
        var result: Result<NewBatchItem, BatchSubmissionError>
    }

    /// Every upload checked and, when good, stored; in arrival order.
    func accept(priority: JobPriority, next: () async -> BatchUpload?, settled: (Int) -> Void) async throws(BatchSubmissionError) -> [NewBatchItem] {
        let outcome: Result<[NewBatchItem], BatchSubmissionError> = await withTaskGroup(of: Settled.self) { group in
            var accepted: [(index: Int, item: NewBatchItem)] = []
            var count = 0
            var failure: BatchSubmissionError?
            var inFlight = 0
            while failure == nil {
                if inFlight == concurrency, let done = await group.next() {
                    inFlight -= 1
                    settled(done.bytes)
                    switch done.result {
                    case .success(let item): accepted.append((done.index, item))
                    case .failure(let error): failure = error
                    }
                    continue
                }
                guard let upload = await next() else { break }
                guard count < maxItems else {
                    failure = .tooManyItems(count: count + 1, limit: maxItems)
                    settled(upload.byteCount)
                    break
                }
                let index = count
                count += 1
                inFlight += 1
                group.addTask {
                    do throws(BatchSubmissionError) {
                        return Settled(index: index, bytes: upload.byteCount, result: .success(try await self.item(upload, priority: priority)))
                    } catch {
                        return Settled(index: index, bytes: upload.byteCount, result: .failure(error))
                    }
                }
            }
            if failure != nil { group.cancelAll() }
            for await done in group {
                settled(done.bytes)
                switch done.result {
                case .success(let item): accepted.append((done.index, item))
                case .failure(let error): failure = failure ?? error
                }
            }
            if let failure { return .failure(failure) }
            return .success(accepted.sorted { $0.index < $1.index }.map(\.item))
        }
        return try outcome.get()
    }

    func item(_ upload: BatchUpload, priority: JobPriority) async throws(BatchSubmissionError) -> NewBatchItem {
        let name = upload.name
        let bytes: [UInt8]
        var storedUnder: String?
        var hashed: ContentHash?
        switch upload {
        case .bytes(_, let body, let sha256):
            bytes = body
            hashed = sha256
        case .file(let path):
            do throws(ClassificationError) { bytes = try FileReader.read(path, maxBytes: limits.maxBytes) } catch {
                return NewBatchItem(name: name, sha256: nil, failure: "\(error)")
            }
        case .rejected(_, let reason):
            return NewBatchItem(name: name, sha256: nil, failure: reason)
        case .storedKey(let key):
            do throws(StorageError) {
                guard let info = try await store.head(key) else {
                    return NewBatchItem(name: name, sha256: nil, failure: "no object with key \(key) in the store")
                }
                guard info.size <= limits.maxBytes else {
                    return NewBatchItem(name: name, sha256: nil,
                                        failure: DecodeError.tooManyBytes(count: info.size, limit: limits.maxBytes).description)
                }
                bytes = try await store.get(key)
                storedUnder = key
            } catch {
                if case .invalidKey = error { return NewBatchItem(name: name, sha256: nil, failure: "\(error)") }
                throw .storage(name: name, error)
            }
        }
        let header: ImageHeader
        do throws(DecodeError) {
            header = try ImageHeader.read(bytes, limits: limits)
        } catch {
            return NewBatchItem(name: name, sha256: nil, failure: error.description)
        }
        let sha256 = (hashed ?? ContentHash(of: bytes)).hex
        if storedUnder != sha256 {
            do throws(StorageError) { _ = try await store.put(bytes, key: sha256, mediaType: header.format.mimeType) } catch {
                throw .storage(name: name, error)
            }
        }
        let job: NewJob
        do throws(JobQueueError) {
            job = try ImageJob(sha256: sha256, model: model, modelVersion: modelVersion, name: Self.displayName(name))
                .newJob(priority: priority)
        } catch {
            throw .queue(error)
        }
        return NewBatchItem(name: name, sha256: sha256, job: job)
    }

    /// The last path component, as ingest records a file's source name.
    static func displayName(_ name: String) -> String {
        name.split(separator: "/").last.map(String.init) ?? name
    }
}
