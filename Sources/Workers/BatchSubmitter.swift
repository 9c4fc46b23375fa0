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
        do {
            return try await submit(priority: priority, next: { () throws(Never) in remaining.next() })
        } catch {
            switch error {
            case .submission(let error): throw error
            case .upload(let never): switch never {}
            }
        }
    }

    /// Like `submit(_:priority:)`, for uploads that arrive one at a time (the parts of a form
    /// as its body streams in): each is checked and stored while the next is still arriving, at
    /// most `concurrency` at once, and the next is asked for only when one of those is done, so
    /// a slow store slows the upload rather than piling images up in memory. `settled` hears of
    /// each upload once it is stored (or refused), so its bytes can be let go.
    ///
    /// The first failure to store, or the first error of `next`, ends the batch before it is
    /// created: nothing is enqueued, and what was stored is at worst unreferenced.
    public func submit<Failure: Error>(
        priority: JobPriority = .online, next: () async throws(Failure) -> BatchUpload?,
        settled: @Sendable (BatchUpload) -> Void = { _ in }
    ) async throws(BatchStreamError<Failure>) -> BatchReceipt {
        let items = try await accept(priority: priority, next: next, settled: settled)
        guard !items.isEmpty else { throw .submission(.empty) }
        do throws(JobQueueError) {
            return try await queue.createBatch(NewBatch(model: model, modelVersion: modelVersion, priority: priority, items: items))
        } catch {
            throw .submission(.queue(error))
        }
    }

    /// Every upload checked and, when good, stored; in arrival order.
    func accept<Failure: Error>(
        priority: JobPriority, next: () async throws(Failure) -> BatchUpload?, settled: @Sendable (BatchUpload) -> Void
    ) async throws(BatchStreamError<Failure>) -> [NewBatchItem] {
        typealias Done = (index: Int, upload: BatchUpload, result: Result<NewBatchItem, BatchSubmissionError>)
        // Written without a nested function that mutates the group: the release build of Swift
        // 6.3 miscompiled that form (a trap in withTaskGroup on the first batch).
        let outcome: Result<[NewBatchItem], BatchStreamError<Failure>> = await withTaskGroup(of: Done.self) { group in
            var items: [NewBatchItem?] = []
            var failure: BatchStreamError<Failure>?
            var inFlight = 0
            while failure == nil {
                if inFlight == concurrency, let done = await group.next() {
                    inFlight -= 1
                    settled(done.upload)
                    switch done.result {
                    case .success(let item): items[done.index] = item
                    case .failure(let error): failure = .submission(error)
                    }
                    continue
                }
                let upload: BatchUpload?
                do throws(Failure) {
                    upload = try await next()
                } catch {
                    failure = .upload(error)
                    break
                }
                guard let upload else { break }
                guard items.count < maxItems else {
                    failure = .submission(.tooManyItems(count: items.count + 1, limit: maxItems))
                    settled(upload)
                    break
                }
                let index = items.count
                items.append(nil)
                inFlight += 1
                group.addTask {
                    do throws(BatchSubmissionError) {
                        return (index, upload, .success(try await self.item(upload, priority: priority)))
                    } catch {
                        return (index, upload, .failure(error))
                    }
                }
            }
            if failure != nil { group.cancelAll() }
            for await done in group {
                settled(done.upload)
                switch done.result {
                case .success(let item): items[done.index] = item
                case .failure(let error): failure = failure ?? .submission(error)
                }
            }
            if let failure { return .failure(failure) }
            return .success(items.map { $0! })
        }
        return try outcome.get()
    }

    func item(_ upload: BatchUpload, priority: JobPriority) async throws(BatchSubmissionError) -> NewBatchItem {
        let name = upload.name
        let bytes: [UInt8]
        var storedUnder: String?
        switch upload {
        case .bytes(_, let body):
            bytes = body
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
        do throws(DecodeError) {
            _ = try ImageHeader.read(bytes, limits: limits)
        } catch {
            return NewBatchItem(name: name, sha256: nil, failure: error.description)
        }
        let sha256 = ContentHash(of: bytes).hex
        if storedUnder != sha256 {
            do throws(StorageError) { _ = try await store.put(bytes, key: sha256) } catch { throw .storage(name: name, error) }
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
