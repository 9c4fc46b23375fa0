import Classification
import Foundation
import ImageDecoding
import Jobs
import Moderation
import Storage

/// The moderation half of `POST /v1/classify?moderate=true`: a decision in force for the hash
/// (a reviewer's, or a cached one), else the light stage on the upload, recorded; an uncertain
/// result stores the bytes and enqueues the `moderation.heavy` job.
struct OnlineModeration: Sendable {
    let cascade: ModerationCascade
    let store: any ModerationStore
    let queue: any JobQueue
    let objects: any ObjectStore
    let decoding: DecodeGate

    /// The decision in force for `sha256`, if one is final enough to answer with at once.
    func known(sha256: String) async throws(APIError) -> ModerationDecision? {
        let known = try await Self.mapped { () throws(ModerationError) in try await cascade.knownDecision(sha256: sha256, store: store) }
        guard let known, known.outcome != .uncertain else { return nil }
        return known
    }

    /// Decides on an upload whose labels are known; `known` is what `known(sha256:)` returned.
    func moderate(bytes: [UInt8], sha256: String, labels: [Label], known: ModerationDecision?) async throws(APIError) -> DecisionAnswer {
        if let known { return try await answer(known) }
        let light = cascade.light
        let decoder = light.detector.imageDecoder
        let minimumSide = light.detector.inputSize
        // Decode (scaled down in the JPEG decoder where it can be) and detect on a decode
        // thread: both block for milliseconds and must stay off the cooperative pool.
        let cost: Int
        do {
            cost = ImageDecoder.peakBytes(for: try ImageHeader.read(bytes, limits: decoder.limits), minimumShorterSide: minimumSide)
        } catch {
            throw APIError.moderation(.detector(.decode(error)))
        }
        let decision: ModerationDecision
        do {
            decision = try await decoding.run(reserving: cost) { () throws(ModerationError) in
                let image: RGBImage
                do throws(DecodeError) {
                    image = try decoder.decode(bytes, minimumShorterSide: minimumSide).image
                } catch {
                    throw .detector(.decode(error))
                }
                return try light.run(sha256: sha256, image: image, labels: labels)
            }
        } catch let error as ModerationError {
            throw APIError.moderation(error)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.internalServerError, code: "moderation_failed", message: "the light moderation stage failed", detail: "\(error)")
        }
        _ = try await Self.mapped { () throws(ModerationError) in try await store.record(decision) }
        guard decision.outcome == .uncertain else { return try await answer(decision) }
        return DecisionAnswer(decision, heavyJob: try await enqueueHeavy(bytes: bytes, sha256: sha256))
    }

    /// Stores the bytes (the heavy stage reads them back; a prediction cache hit may come from
    /// another replica's upload) and enqueues the heavy stage once per image and policy.
    func enqueueHeavy(bytes: [UInt8], sha256: String) async throws(APIError) -> Int64 {
        do {
            _ = try await objects.put(bytes, key: sha256, mediaType: ImageFormat.mediaType(sniffing: bytes))
            let job = try NewJob(
                kind: HeavyModerationJob.kind, idempotencyKey: "\(HeavyModerationJob.kind):\(sha256):\(cascade.policy.id)",
                payload: HeavyModerationJob(sha256: sha256), priority: .online, maxAttempts: 3)
            return try await queue.enqueue(job).id
        } catch {
            throw APIError.unavailable("job queue", code: "queue_unavailable", detail: "queueing the heavy moderation stage: \(error)")
        }
    }

    /// The answer for a decision, with its review item when it is waiting for (or had) one.
    func answer(_ decision: ModerationDecision) async throws(APIError) -> DecisionAnswer {
        guard decision.outcome == .review || decision.stage == .human || decision.sampled else { return DecisionAnswer(decision) }
        return DecisionAnswer(decision, reviewItem: try await reviewItemID(sha256: decision.sha256))
    }

    /// The newest review item filed for `sha256`, from the audit log.
    func reviewItemID(sha256: String) async throws(APIError) -> Int64? {
        var after: Int64 = 0, found: Int64?
        while true {
            let page = try await Self.mapped { () throws(ModerationError) in try await store.auditLog(sha256: sha256, afterID: after, limit: 500) }
            found = page.compactMap(\.reviewItem).last ?? found
            guard page.count == 500, let last = page.last else { return found }
            after = last.id
        }
    }

    static func mapped<T>(_ body: () async throws(ModerationError) -> T) async throws(APIError) -> T {
        do { return try await body() } catch { throw APIError.moderation(error) }
    }
}

extension APIError {
    /// The answer for a moderation failure: the client's (404, 409, 400) or the server's.
    static func moderation(_ error: ModerationError) -> APIError {
        switch error {
        case .itemNotFound: APIError(.notFound, code: "not_found", message: error.description)
        case .notClaimed: APIError(.conflict, code: "not_claimed", message: error.description)
        case .claimedByOther: APIError(.conflict, code: "claimed_by_other", message: error.description)
        case .alreadyDecided: APIError(.conflict, code: "already_decided", message: error.description)
        case .invalidArgument(let reason): .badRequest("bad_parameter", reason)
        case .store: APIError.unavailable("moderation store", code: "store_unavailable", detail: "\(error)")
        case .detector(.decode(let decode)), .classifier(.decode(let decode)):
            .undecodable(decode.code, decode.description)
        case .classifier(let classification): APIError.classification(classification)
        case .detector: APIError(.internalServerError, code: "moderation_failed", message: "the moderation detector failed on this image", detail: error.description)
        }
    }
}
