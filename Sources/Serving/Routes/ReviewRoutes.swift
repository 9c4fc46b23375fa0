import Foundation
import Hummingbird
import ImageDecoding
import Keys
import Moderation
import Storage

/// The review queue for moderators (scope `review`), the audit log, and the decision in force
/// for an image:
///
/// - `GET /v1/review`: items by state, category and age, keyset-paginated, with the queue count;
/// - `GET /v1/review/{id}` and `GET /v1/review/{id}/image` (the bytes, for the review page);
/// - `POST /v1/review/claim` (the oldest free item) and `POST /v1/review/{id}/claim`, with a lease;
/// - `POST /v1/review/{id}` with `{"verdict": "approve"|"reject", "reason": "…"}`, by the claim holder;
/// - `GET /v1/audit` and `GET /v1/moderation/{sha256}` (scope `read`).
///
/// The reviewer is the API key: its name and id, so two keys never share a claim.
struct ReviewRoutes: Sendable {
    let moderation: OnlineModeration
    var store: any ModerationStore { moderation.store }

    /// Leases are bounded: a forgotten tab must not hold an item for hours.
    static let leaseRange = 10...3600
    static let defaultLease = 300

    func add(to router: Router<ServingContext>) {
        router.get("/v1/review") { request, context in try await list(request, context) }
        router.post("/v1/review/claim") { request, context in try await claimNext(request, context) }
        router.get("/v1/review/:id") { _, context in try await item(context) }
        router.get("/v1/review/:id/image") { _, context in try await image(context) }
        router.post("/v1/review/:id/claim") { request, context in try await claim(request, context) }
        router.post("/v1/review/:id") { request, context in try await decide(request, context) }
        router.get("/v1/audit") { request, context in try await audit(request, context) }
        router.get("/v1/moderation/:sha256") { _, context in try await decision(context) }
    }

    static func reviewer(_ principal: Principal) -> String { "\(principal.name) (\(principal.keyID))" }

    // MARK: listing

    struct ListAnswer: Encodable {
        var items: [ReviewItemAnswer]
        var nextCursor: Int64?
        /// Items waiting (pending, or claimed with an expired lease), in the category filter if any.
        var pending: Int

        enum CodingKeys: String, CodingKey { case items, nextCursor, pending }

        /// `next_cursor: null` on the last page, rather than no key.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(items, forKey: .items)
            try container.encode(nextCursor, forKey: .nextCursor)
            try container.encode(pending, forKey: .pending)
        }
    }

    func list(_ request: Request, _ context: ServingContext) async throws -> Response {
        try context.require(.review)
        let query = request.uri.queryParameters
        var filter = ReviewFilter()
        switch query.get("state") {
        case nil: break
        case "all"?: filter.state = nil
        case let name?:
            guard let state = ReviewState(rawValue: name) else {
                throw APIError.badRequest("bad_parameter", "state must be one of pending, claimed, approved, rejected or all")
            }
            filter.state = state
        }
        filter.category = try Self.category(query.get("category"))
        filter.createdAfter = try Self.time(query.get("created_after"), name: "created_after")
        filter.createdBefore = try Self.time(query.get("created_before"), name: "created_before")
        filter.afterID = Int64(try PredictionRoutes.integer(query.get("after"), name: "after", default: 0, range: 0...Int.max))
        filter.limit = try PredictionRoutes.integer(query.get("limit"), name: "limit", default: 50, range: 1...500)
        let page = try await OnlineModeration.mapped { () throws(ModerationError) in try await store.reviewItems(filter) }
        let pending = try await pendingCount(category: filter.category)
        return try PredictionRoutes.json(ListAnswer(items: page.items.map(ReviewItemAnswer.init), nextCursor: page.nextCursor, pending: pending))
    }

    func pendingCount(category: String?) async throws(APIError) -> Int {
        try await OnlineModeration.mapped { () throws(ModerationError) in
            try await store.reviewCount(state: .pending, category: category, now: Date())
        }
    }

    func item(_ context: ServingContext) async throws -> Response {
        try context.require(.review)
        return try PredictionRoutes.json(ReviewItemAnswer(try await existing(Self.id(context))))
    }

    func existing(_ id: Int64) async throws(APIError) -> ReviewItem {
        guard let item = try await OnlineModeration.mapped({ () throws(ModerationError) in try await store.reviewItem(id: id, now: Date()) }) else {
            throw APIError.moderation(.itemNotFound(id))
        }
        return item
    }

    /// The image under review, from the object store; content-addressed, so the browser may keep it.
    func image(_ context: ServingContext) async throws -> Response {
        try context.require(.review)
        let item = try await existing(Self.id(context))
        let bytes: [UInt8]
        do throws(StorageError) {
            bytes = try await moderation.objects.get(item.sha256)
        } catch {
            if case .notFound = error { throw APIError.notFound("the image \(item.sha256) is no longer in the object store") }
            throw APIError.unavailable("object store", code: "store_unavailable", detail: "reading \(item.sha256): \(error)")
        }
        return Response(status: .ok, headers: [.contentType: Self.mediaType(bytes), .cacheControl: "private, max-age=31536000, immutable"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func mediaType(_ bytes: [UInt8]) -> String {
        ImageFormat.mediaType(sniffing: bytes) ?? "application/octet-stream"
    }

    // MARK: claims and verdicts

    struct ClaimAnswer: Encodable {
        /// nil when no item is free.
        var item: ReviewItemAnswer?
        var pending: Int

        enum CodingKeys: String, CodingKey { case item, pending }

        /// `item: null` when nothing is free, rather than no key.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(item, forKey: .item)
            try container.encode(pending, forKey: .pending)
        }
    }

    /// A category filter: a policy's category names are short words, and anything else (a NUL
    /// byte, which PostgreSQL refuses in text, made the store fail with 503) is a 400 here.
    static func category(_ text: String?) throws(APIError) -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard text.utf8.count <= 64, text.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)) }) else {
            throw APIError.badRequest("bad_parameter", "category must be up to 64 letters, digits, '_', '.' or '-', as the policy names it")
        }
        return text
    }

    func claimNext(_ request: Request, _ context: ServingContext) async throws -> Response {
        let principal = try context.require(.review)
        let query = request.uri.queryParameters
        let category = try Self.category(query.get("category"))
        let lease = try Self.lease(query.get("lease"))
        let item = try await OnlineModeration.mapped { () throws(ModerationError) in
            try await store.claimNext(reviewer: Self.reviewer(principal), category: category, lease: lease, now: Date())
        }
        return try PredictionRoutes.json(ClaimAnswer(item: item.map(ReviewItemAnswer.init), pending: try await pendingCount(category: category)))
    }

    func claim(_ request: Request, _ context: ServingContext) async throws -> Response {
        let principal = try context.require(.review)
        let id = try Self.id(context)
        let lease = try Self.lease(request.uri.queryParameters.get("lease"))
        let item = try await OnlineModeration.mapped { () throws(ModerationError) in
            try await store.claim(id: id, reviewer: Self.reviewer(principal), lease: lease, now: Date())
        }
        return try PredictionRoutes.json(ReviewItemAnswer(item))
    }

    struct VerdictBody: Decodable {
        var verdict: String
        var reason: String?
    }

    struct VerdictAnswer: Encodable {
        var item: ReviewItemAnswer
        /// The decision now in force for the image.
        var decision: DecisionAnswer
    }

    func decide(_ request: Request, _ context: ServingContext) async throws -> Response {
        let principal = try context.require(.review)
        let id = try Self.id(context)
        var request = request
        let body = try await ImageUpload.bytes(of: &request, limit: 64 * 1024, context: context)
        guard let input = try? JSONDecoder().decode(VerdictBody.self, from: Data(body)) else {
            throw APIError.badRequest("bad_json", "send {\"verdict\": \"approve\" or \"reject\", \"reason\": \"…\"}")
        }
        guard let verdict = ReviewVerdict(rawValue: input.verdict) else {
            throw APIError.badRequest("bad_verdict", "verdict must be \"approve\" or \"reject\", not '\(input.verdict.prefix(40))'")
        }
        let decision = try await OnlineModeration.mapped { () throws(ModerationError) in
            try await store.decide(id: id, reviewer: Self.reviewer(principal), verdict: verdict, reason: input.reason ?? "", now: Date())
        }
        let item = try await existing(id)
        return try PredictionRoutes.json(VerdictAnswer(item: ReviewItemAnswer(item), decision: DecisionAnswer(decision, reviewItem: id)))
    }

    // MARK: audit and decisions

    func audit(_ request: Request, _ context: ServingContext) async throws -> Response {
        try context.require(.review)
        let query = request.uri.queryParameters
        let sha256 = try query.get("sha256").map(PredictionRoutes.sha256)
        let after = Int64(try PredictionRoutes.integer(query.get("after"), name: "after", default: 0, range: 0...Int.max))
        let limit = try PredictionRoutes.integer(query.get("limit"), name: "limit", default: 100, range: 1...1000)
        let entries = try await OnlineModeration.mapped { () throws(ModerationError) in
            try await store.auditLog(sha256: sha256, afterID: after, limit: limit)
        }
        let answer = AuditAnswer(
            entries: entries.map {
                AuditAnswer.Entry(id: $0.id, event: $0.event, sha256: $0.sha256, reviewItem: $0.reviewItem, actor: $0.actor,
                                  outcome: $0.outcome.rawValue, policyVersion: $0.policyVersion, modelVersions: $0.modelVersions,
                                  scores: $0.scores, reason: $0.reason, createdAt: $0.createdAt)
            },
            next: entries.last?.id ?? after)
        return try PredictionRoutes.json(answer)
    }

    /// The decision in force for an image (a reviewer's, else the current policy's), even one
    /// still waiting for the heavy stage; what the upload page polls after `uncertain`.
    func decision(_ context: ServingContext) async throws -> Response {
        try context.require(.read)
        let sha256 = try PredictionRoutes.sha256(context.parameters.require("sha256"))
        let cascade = moderation.cascade
        guard let decision = try await OnlineModeration.mapped({ () throws(ModerationError) in
            try await cascade.knownDecision(sha256: sha256, store: store)
        }) else {
            throw APIError.notFound("no moderation decision for \(sha256) under policy \(cascade.policy.id); POST it to /v1/classify?moderate=true")
        }
        return try PredictionRoutes.json(try await moderation.answer(decision))
    }

    // MARK: parameters

    static func id(_ context: ServingContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard let id = Int64(text), id > 0 else { throw APIError.badRequest("bad_id", "'\(text.prefix(40))' is not a review item id") }
        return id
    }

    static func lease(_ text: String?) throws(APIError) -> Duration {
        .seconds(try PredictionRoutes.integer(text, name: "lease", default: defaultLease, range: leaseRange))
    }

    /// Seconds since 1970 accepted: years 1970 to 9999. Anything beyond is a client's mistake
    /// (or probe), and the stores count microseconds in 64 bits.
    static let secondsRange: ClosedRange<Double> = 0...253_402_300_799

    /// ISO 8601 (`2026-11-29T17:00:00Z`) or seconds since 1970, within `secondsRange`.
    static func time(_ text: String?, name: String) throws(APIError) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        let failure = APIError.badRequest(
            "bad_parameter", "\(name) must be an ISO 8601 time like 2026-11-29T17:00:00Z or seconds since 1970 (at most \(Int(secondsRange.upperBound)))")
        guard text.utf8.count <= 64 else { throw failure }
        var date: Date?
        if let seconds = Int64(text) {
            date = Date(timeIntervalSince1970: Double(seconds))
        } else {
            let formatter = ISO8601DateFormatter()
            date = formatter.date(from: text)
            if date == nil {
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                date = formatter.date(from: text)
            }
        }
        // NaN fails `contains` too.
        guard let date, secondsRange.contains(date.timeIntervalSince1970) else { throw failure }
        return date
    }
}
