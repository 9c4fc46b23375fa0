import Classification
import Foundation
import Hashing
import ImageDecoding
import Jobs
import Moderation
import Storage

/// Runs `moderation.heavy` jobs, the asynchronous half of the cascade: reads the bytes the
/// online path stored, runs the heavy stage and records its decision, which files the review
/// item when one is needed (the store appends the `moderation.*` events in the same transaction).
///
/// Idempotent: a decision is keyed by hash, policy and models, and a human decision made in the
/// meantime wins without running the models (`ModerationCascade.moderateHeavy`).
public struct HeavyModerationHandler: JobHandler {
    public static let jobKind = HeavyModerationJob.kind
    public let kind = HeavyModerationHandler.jobKind
    /// One image at a time: the heavy stage is already a batch of two detector passes.
    public let batchSize = 1
    public let cascade: ModerationCascade
    public let store: any ModerationStore
    public let objects: any ObjectStore
    /// The process's pixel memory (the server's or the worker's): the heavy stage decodes the
    /// whole image, so it reserves its peak here like every other decode.
    public let decodeBudget: DecodeBudget
    /// The process's decode threads, for the stored object's content check.
    public let decodePool: DecodePool
    /// How long a job waits for pixel memory before it is retried later; long, as nobody waits
    /// on a background job.
    public var decodeWait: Duration = .seconds(30)

    public init(cascade: ModerationCascade, store: any ModerationStore, objects: any ObjectStore, decodePool: DecodePool,
                decodeBudget: DecodeBudget) {
        self.cascade = cascade
        self.store = store
        self.decodePool = decodePool
        self.decodeBudget = decodeBudget
        self.objects = objects
    }

    public func handle(_ jobs: [Job]) async -> [JobOutcome] {
        var outcomes: [JobOutcome] = []
        for job in jobs { outcomes.append(await handle(job)) }
        return outcomes
    }

    func handle(_ job: Job) async -> JobOutcome {
        let payload: HeavyModerationJob
        do { payload = try job.decodePayload(HeavyModerationJob.self) } catch { return .fail(reason: "\(error)") }
        let bytes: [UInt8]
        do throws(StorageError) {
            bytes = try await objects.get(payload.sha256)
        } catch {
            if case .notFound = error {
                return .fail(reason: "the image \(payload.sha256) is missing from the object store; upload it again")
            }
            return .retry(reason: "object store: \(error)")
        }
        // On the decode threads, off the threads every task of the process shares (see
        // `ImageAnalysisHandler`).
        let intact: Bool
        do { intact = try await decodePool.run { ContentHash(of: bytes).hex == payload.sha256 } } catch {
            return .retry(reason: "\(error)")
        }
        guard intact else {
            return .fail(reason: "the stored object \(payload.sha256) does not hash to its key: the store is damaged")
        }
        let peak: Int
        do throws(DecodeError) {
            let decoder = cascade.heavy.detector.imageDecoder
            peak = ImageDecoder.peakBytes(for: try ImageHeader.read(bytes, limits: decoder.limits), minimumShorterSide: nil)
        } catch {
            return .fail(reason: error.description)
        }
        do throws(DecodeBudget.Refusal) {
            try await decodeBudget.reserve(peak, waiting: decodeWait)
        } catch {
            if case .tooLarge = error { return .fail(reason: error.description) }
            return .retry(reason: error.description)
        }
        defer { decodeBudget.release(peak) }
        do throws(ModerationError) {
            _ = try await cascade.moderateHeavy(sha256: payload.sha256, bytes: bytes, store: store)
            return .done(events: [])
        } catch {
            switch error {
            case .detector(.decode), .classifier(.decode), .invalidArgument: return .fail(reason: error.description)
            default: return .retry(reason: error.description)
            }
        }
    }
}
