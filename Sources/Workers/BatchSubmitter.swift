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
        guard !uploads.isEmpty else { throw .empty }
        guard uploads.count <= maxItems else { throw .tooManyItems(count: uploads.count, limit: maxItems) }
        let items = try await accept(uploads, priority: priority)
        do throws(JobQueueError) {
            return try await queue.createBatch(NewBatch(model: model, modelVersion: modelVersion, priority: priority, items: items))
        } catch {
            throw .queue(error)
        }
    }

    /// Every upload checked and, when good, stored; in input order.
    func accept(_ uploads: [BatchUpload], priority: JobPriority) async throws(BatchSubmissionError) -> [NewBatchItem] {
        let work: @Sendable (Int) async -> (Int, Result<NewBatchItem, BatchSubmissionError>) = { index in
            do throws(BatchSubmissionError) {
                return (index, .success(try await self.item(uploads[index], priority: priority)))
            } catch {
                return (index, .failure(error))
            }
        }
        // At most `concurrency` uploads in flight. Written without a nested function that
        // mutates the group: the release build of Swift 6.3 miscompiled that form (a trap in
        // withTaskGroup on the first batch).
        let results: [Result<NewBatchItem, BatchSubmissionError>] = await withTaskGroup(
            of: (Int, Result<NewBatchItem, BatchSubmissionError>).self
        ) { group in
            var results = [Result<NewBatchItem, BatchSubmissionError>?](repeating: nil, count: uploads.count)
            var pending = uploads.indices.makeIterator()
            for _ in 0..<min(concurrency, uploads.count) {
                if let index = pending.next() { group.addTask { await work(index) } }
            }
            for await (index, result) in group {
                results[index] = result
                if let next = pending.next() { group.addTask { await work(next) } }
            }
            return results.map { $0! }
        }
        var items: [NewBatchItem] = []
        for result in results {
            switch result {
            case .success(let item): items.append(item)
            case .failure(let error): throw error
            }
        }
        return items
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
