import Classification
import Foundation
import ImageDecoding

/// One model's dynamic batcher: requests that arrive close together share one forward pass.
///
/// Requests are decoded before they get here (concurrently, by the caller), so the queue holds
/// ready tensors and the model never waits for a decoder. `run()` is the only place batches are
/// formed and the model is called, one batch at a time, which is what a 2-core machine can do;
/// while a batch runs the next one gathers, so under load batches fill up by themselves and the
/// queue delay only matters when traffic is light.
public actor DynamicBatcher {
    public let classifier: Classifier
    public let settings: BatcherSettings
    let executor: BackgroundThreads
    let metrics: ServingMetrics?

    private struct Pending {
        var id: UInt64
        var image: PreparedImage
        var enqueued: ContinuousClock.Instant
        var continuation: CheckedContinuation<Prediction, any Error>
    }

    private var queue: [Pending] = []
    private var nextID: UInt64 = 0
    private var idleWaiter: CheckedContinuation<Void, Never>?
    private var stopped = false
    /// Sizes of the batches run so far, newest last (bounded); for tests and the benchmark.
    public private(set) var recentBatchSizes: [Int] = []
    public private(set) var batchesRun = 0

    /// How many labels each prediction keeps: enough for any `top` a request may ask for.
    public static let labelDepth = 10

    public init(classifier: Classifier, settings: BatcherSettings, metrics: ServingMetrics? = nil) {
        self.classifier = classifier
        self.settings = settings
        self.metrics = metrics
        self.executor = BackgroundThreads(count: 1, name: "batcher")
    }

    public var queueDepth: Int { queue.count }

    /// Classifies one prepared image as part of whatever batch forms; throws `BatcherError` on
    /// overload, timeout or shutdown, and `CancellationError` when the caller goes away first.
    public func classify(_ image: PreparedImage) async throws -> Prediction {
        guard !stopped else { throw BatcherError.stopped }
        guard queue.count < settings.maxQueueSize else {
            metrics?.rejectedOverload(model: classifier.model.name)
            throw BatcherError.overloaded
        }
        try Task.checkCancellation()
        nextID += 1
        let id = nextID
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Prediction, any Error>) in
                queue.append(Pending(id: id, image: image, enqueued: .now, continuation: continuation))
                metrics?.queueDepth(model: classifier.model.name, queue.count)
                idleWaiter?.resume()
                idleWaiter = nil
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    /// Forms and runs batches until cancelled, then fails whatever is still queued.
    public func run() async {
        let delay = Duration.microseconds(settings.maxQueueDelayMicroseconds)
        let preferred = Set(settings.preferredBatchSizes)
        while !Task.isCancelled {
            if queue.isEmpty {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        if queue.isEmpty && !Task.isCancelled { idleWaiter = continuation } else { continuation.resume() }
                    }
                } onCancel: {
                    Task { await self.wakeIdle() }
                }
                continue
            }
            // Gather: until the batch is full, reaches a preferred size, or the oldest request has
            // waited the maximum delay. Polling in short sleeps keeps this one loop simple; it
            // only spins while requests are waiting.
            let deadline = queue[0].enqueued + delay
            while queue.count < settings.maxBatchSize, !preferred.contains(queue.count), ContinuousClock.now < deadline,
                  !Task.isCancelled {
                try? await Task.sleep(for: min(.microseconds(250), deadline - .now))
            }
            failExpired()
            guard !queue.isEmpty else { continue }
            let batch = Array(queue.prefix(settings.maxBatchSize))
            queue.removeFirst(batch.count)
            metrics?.queueDepth(model: classifier.model.name, queue.count)
            await runBatch(batch)
        }
        stopped = true
        for pending in queue { pending.continuation.resume(throwing: BatcherError.stopped) }
        queue.removeAll()
    }

    /// Runs each warm-up batch size once on a blank tensor, so the first real request of every
    /// size does not pay ONNX Runtime's first-run allocations.
    public func warmUp() async throws {
        let blank = PreparedImage.blank(for: classifier)
        for size in settings.warmupSizes {
            let batch = Array(repeating: blank, count: size)
            let classifier = self.classifier
            _ = try await executor.run { () throws(ClassificationError) in
                try classifier.classify(batch, top: Self.labelDepth, embeddings: true)
            }
        }
    }

    private func runBatch(_ batch: [Pending]) async {
        let classifier = self.classifier
        let images = batch.map(\.image)
        let started = ContinuousClock.now
        let result: Result<[Prediction], ClassificationError> = await executor.run {
            do throws(ClassificationError) {
                return .success(try classifier.classify(images, top: Self.labelDepth, embeddings: true))
            } catch {
                return .failure(error)
            }
        }
        batchesRun += 1
        recentBatchSizes.append(batch.count)
        if recentBatchSizes.count > 1024 { recentBatchSizes.removeFirst(512) }
        metrics?.batch(model: classifier.model.name, size: batch.count, inference: ContinuousClock.now - started)
        switch result {
        case .success(let predictions):
            for (pending, prediction) in zip(batch, predictions) { pending.continuation.resume(returning: prediction) }
        case .failure(let error):
            for pending in batch { pending.continuation.resume(throwing: error) }
        }
    }

    private func failExpired() {
        let limit = Duration.milliseconds(settings.timeoutMilliseconds)
        let now = ContinuousClock.now
        queue.removeAll { pending in
            guard now - pending.enqueued > limit else { return false }
            pending.continuation.resume(throwing: BatcherError.timedOut)
            return true
        }
    }

    private func cancel(_ id: UInt64) {
        guard let index = queue.firstIndex(where: { $0.id == id }) else { return }
        let pending = queue.remove(at: index)
        pending.continuation.resume(throwing: CancellationError())
        metrics?.queueDepth(model: classifier.model.name, queue.count)
    }

    private func wakeIdle() {
        idleWaiter?.resume()
        idleWaiter = nil
    }
}

extension PreparedImage {
    /// A mid-grey image of the model's input size, for warm-up.
    static func blank(for classifier: Classifier) -> PreparedImage {
        let size = classifier.preprocessing.inputSize
        let header = ImageHeader(format: .jpeg, width: size, height: size)
        return PreparedImage(sha256: String(repeating: "0", count: 64), header: header,
                             tensor: [Float](repeating: 0, count: classifier.preprocessing.elementCount), image: nil)
    }
}
