import Catalog
import Classification
import Foundation
import Hashing
import ImageDecoding
import Logging
import Storage

/// Writes freshly computed predictions to tier 2 (the catalog) after the client has its answer.
///
/// A miss's latency should be decode plus inference, not plus an fsync: the catalog write is what
/// lets a restart or another replica hit, which can wait milliseconds. The bytes go to the object
/// store first and the rows after, as in ingest, so a row never points at a missing object. The
/// buffer is bounded in bytes, because each entry holds its upload (up to the body limit) after
/// the request's upload budget was released: counting entries let 1,024 of 20 MB each hold
/// 20 GB. When the catalog falls that far behind, new entries are dropped (tier 2 is a cache:
/// the cost is a future miss) and counted.
public actor CatalogWriteBehind {
    public struct Entry: Sendable {
        var bytes: [UInt8]
        var header: ImageHeaderSummary
        var codes: PerceptualCodes
        var prediction: Prediction
    }

    /// What the catalog row needs from the decoded header.
    public struct ImageHeaderSummary: Sendable {
        var format: String
        var width: Int
        var height: Int
        var animated: Bool = false
    }

    private let catalog: any Catalog
    private let store: any ObjectStore
    private let logger: Logger
    /// Upload bytes the buffer may hold.
    private let capacityBytes: Int
    private var pending: [Entry] = []
    private var pendingBytes = 0
    private var waiter: CheckedContinuation<Void, Never>?
    private var flushWaiters: [CheckedContinuation<Void, Never>] = []
    private var writing = false
    private var running = false
    private var stopping = false
    public private(set) var dropped = 0
    public private(set) var written = 0

    public init(catalog: any Catalog, store: any ObjectStore, capacityBytes: Int = 256 * 1024 * 1024,
                logger: Logger = Logger(label: "lenscale.serve.cache")) {
        self.catalog = catalog
        self.store = store
        self.capacityBytes = capacityBytes
        self.logger = logger
    }

    func enqueue(_ entry: Entry) {
        guard pendingBytes + entry.bytes.count <= capacityBytes else {
            dropped += 1
            return
        }
        pending.append(entry)
        pendingBytes += entry.bytes.count
        waiter?.resume()
        waiter = nil
    }

    /// Returns once everything enqueued so far is written; for tests and shutdown. When the
    /// writer's loop is not running (never started, or stopped) it writes what is left itself.
    public func flush() async {
        guard running else {
            while !pending.isEmpty { await write(takeFirst()) }
            return
        }
        guard !pending.isEmpty || writing else { return }
        await withCheckedContinuation { flushWaiters.append($0) }
    }

    /// Drains the buffer until `stop()`, then writes what is left and returns.
    ///
    /// Stopped by a call rather than by cancellation: a cancelled task would cancel the catalog
    /// write in progress, and shutdown must not lose what is already in the buffer.
    public func run() async {
        running = true
        defer { running = false }
        while true {
            if pending.isEmpty {
                for waiter in flushWaiters { waiter.resume() }
                flushWaiters.removeAll()
                if stopping { return }
                await withCheckedContinuation { continuation in
                    if pending.isEmpty && !stopping { waiter = continuation } else { continuation.resume() }
                }
                continue
            }
            let entry = takeFirst()
            writing = true
            await write(entry)
            writing = false
        }
    }

    private func takeFirst() -> Entry {
        let entry = pending.removeFirst()
        pendingBytes -= entry.bytes.count
        return entry
    }

    /// Asks `run()` to finish the buffer and return.
    public func stop() {
        stopping = true
        waiter?.resume()
        waiter = nil
    }

    private func write(_ entry: Entry) async {
        let prediction = entry.prediction
        do {
            _ = try await store.put(entry.bytes, key: prediction.sha256, mediaType: ImageFormat(rawValue: entry.header.format)?.mimeType)
            let image = NewImage(
                sha256: prediction.sha256, bytes: entry.bytes.count, format: entry.header.format,
                width: entry.header.width, height: entry.header.height, phash: entry.codes.full.value,
                phashCrops: entry.codes.crops.map(\.value), sourceName: nil, animated: entry.header.animated)
            let labels = prediction.labels.map { StoredLabel(index: $0.index, name: $0.name, score: $0.score) }
            let embeddings = prediction.embedding.map { [EmbeddingRecord(sha256: prediction.sha256, model: prediction.model, floats: $0)] } ?? []
            _ = try await catalog.record(
                image: image,
                predictions: [PredictionRecord(sha256: prediction.sha256, model: prediction.model, modelVersion: prediction.modelVersion, labels: labels)],
                embeddings: embeddings)
            written += 1
        } catch {
            logger.warning("could not write prediction \(prediction.sha256) to the catalog: \(error)")
        }
    }
}
