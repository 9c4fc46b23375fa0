import Classification
import Foundation
import ImageDecoding
import Moderation
@testable import Workers
@testable import Jobs
@testable import Serving
import Testing
import TestSupport

/// The heavy moderation stage decodes the whole image, so it takes its peak from the process's
/// decode budget like every other decode; a photo the online (DCT-scaled) decode fits can still be
/// too large for it.
@Suite struct HeavyModerationBudgetTests {
    @Test("the heavy stage reserves the whole decode: over the budget fails, a spent budget retries, room runs it")
    func heavyStageTakesFromTheDecodeBudget() async throws {
        let server = try await TestServer.open()
        defer { Task { await server.close() } }
        let policy = server.directory.appendingPathComponent("policy.yaml")
        try ModerationReviewTests.policyYAML.write(to: policy, atomically: true, encoding: .utf8)
        let moderation = try ModerationSetup.load(policyFile: policy, manifest: Classifiers.manifest, inference: Classifiers.inference, onlineClassifier: "efficientnet-lite0",
                                                  limits: DecodeLimits(), catalog: server.runtime.workspace.catalog)
        let bytes = try photoBytes("picosdeeuropa_by_Aitzol_Berasategi.jpg")
        let sha256 = ContentHashHex.of(bytes)
        _ = try await server.runtime.workspace.store.put(bytes, key: sha256)

        // A budget between the online decode's peak and the whole image's.
        let header = try ImageHeader.read(bytes, limits: DecodeLimits())
        let whole = ImageDecoder.peakBytes(for: header, minimumShorterSide: nil)
        let online = ImageDecoder.peakBytes(for: header, minimumShorterSide: 320)
        let between = (online + whole) / 2
        #expect(online < between && between < whole)

        let job = Job(id: 1, kind: HeavyModerationHandler.jobKind, idempotencyKey: sha256, payload: "{\"sha256\": \"\(sha256)\"}",
                      priority: .backfill, state: .running, attempts: 1, maxAttempts: 5, runAfter: Date(), createdAt: Date())
        func handler(_ budget: DecodeBudget) -> HeavyModerationHandler {
            var handler = HeavyModerationHandler(cascade: moderation.cascade, store: moderation.store,
                                                 objects: server.runtime.workspace.store, decodePool: DecodePool(threads: 1),
                                                 decodeBudget: budget)
            handler.decodeWait = .zero
            return handler
        }

        // Too large for the budget: failed for good (a retry cannot help), naming the setting.
        let small = DecodeBudget(capacity: between)
        guard case .fail(let reason) = await handler(small).handle(job) else {
            Issue.record("a decode over the whole budget should fail the job")
            return
        }
        #expect(reason.contains("limits.decode_budget_bytes"))
        #expect(small.available == between)

        // Spent by other decodes: retried later.
        let spent = DecodeBudget(capacity: whole)
        try await spent.reserve(1, waiting: .zero)
        guard case .retry(let busy) = await handler(spent).handle(job) else {
            Issue.record("a decode waiting on a spent budget should be retried")
            return
        }
        #expect(busy.contains("retry shortly"))
        #expect(spent.available == whole - 1)

        // Room for the whole image: done, and every byte given back.
        let room = DecodeBudget(capacity: whole)
        #expect(await handler(room).handle(job) == .done(events: []))
        #expect(room.available == whole)
    }
}
