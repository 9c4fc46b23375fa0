import Classification
import Foundation
import HTTPTypes
import Hashing
import Hummingbird
import Moderation

/// `POST /v1/classify`, `GET /v1/predictions/{sha256}` and `POST /v1/predictions/check`.
struct PredictionRoutes: Sendable {
    let service: PredictionService
    let limits: ServeConfiguration.Limits
    let readiness: Readiness
    /// What `?moderate=true` applies; nil when the server runs without a policy.
    let moderation: OnlineModeration?

    func add(to router: Router<ServingContext>) {
        router.post("/v1/classify") { request, context in try await classify(request, context) }
        router.get("/v1/predictions/:sha256") { request, context in try await prediction(request, context) }
        router.post("/v1/predictions/check") { request, context in try await check(request, context) }
    }

    /// The answer of `POST /v1/classify`.
    struct ClassifyAnswer: Encodable {
        var sha256: String
        var model: String
        var modelVersion: String
        var labels: [Label]
        var cache: String
        var embedding: [Float]?
        /// With `?moderate=true`: the moderation decision for the image.
        var moderation: DecisionAnswer?
    }

    func classify(_ request: Request, _ context: ServingContext) async throws -> Response {
        try context.require(.classify)
        let query = request.uri.queryParameters
        let endpoint = try service.endpoint(named: query.get("model"))
        let top = try Self.integer(query.get("top"), name: "top", default: 5, range: 1...DynamicBatcher.labelDepth)
        let embedding = try Self.boolean(query.get("embedding"), name: "embedding")
        let moderation = try Self.boolean(query.get("moderate"), name: "moderate") ? moderator() : nil
        guard readiness.isReady else { throw APIError.notReady }
        var request = request
        let image = try await ImageUpload.image(in: &request, limit: limits.maxBodyBytes, context: context)
        let (bytes, sha256) = (image.bytes, image.sha256.hex)
        // A decision in force comes first: a known-bad image is blocked without any model.
        let known = try await moderation?.known(sha256: sha256)
        if let moderation, let known, known.outcome == .block {
            return try Self.json(ClassifyAnswer(
                sha256: sha256, model: endpoint.name, modelVersion: endpoint.version, labels: [], cache: "hit",
                moderation: try await moderation.answer(known)))
        }
        let cached: CachedPrediction, source: PredictionService.Source
        if let known = try await service.lookup(sha256: sha256, endpoint: endpoint, embedding: embedding) {
            (cached, source) = known
        } else {
            // A miss is real work: a client that hangs up cancels it (its tensor leaves the
            // batcher's queue). Hummingbird watches for the hang-up by reading the connection,
            // which ends keep-alive, so only misses pay that, and they say so (Connection: close)
            // for clients to open a fresh connection instead of reusing a closing one.
            cached = try await request.body.consumeWithCancellationOnInboundClose { _ in
                do {
                    return try await service.compute(bytes, sha256: sha256, endpoint: endpoint)
                } catch {
                    throw APIError.mapping(error)
                }
            }
            source = .computed
        }
        let prediction = cached.prediction
        let answer = ClassifyAnswer(
            sha256: prediction.sha256, model: prediction.model, modelVersion: prediction.modelVersion,
            labels: Array(prediction.labels.prefix(top)), cache: source.isHit ? "hit" : "miss",
            embedding: embedding ? prediction.embedding : nil,
            moderation: try await moderation?.moderate(bytes: bytes, sha256: sha256, labels: prediction.labels, known: known))
        var response = try Self.json(answer)
        response.headers[.cacheStatus] = source.isHit ? "hit" : "miss"
        if !source.isHit { response.headers[.connection] = "close" }
        return response
    }

    /// The moderation `?moderate=true` applies; 501 when the server runs without a policy.
    func moderator() throws(APIError) -> OnlineModeration {
        guard let moderation else {
            throw APIError(.notImplemented, code: "moderation_off",
                           message: "this server runs without a moderation policy; start it with \(ModerationSetup.policyVariable)=<policy.yaml>")
        }
        return moderation
    }

    func prediction(_ request: Request, _ context: ServingContext) async throws -> Response {
        try context.require(.read)
        let sha256 = try Self.sha256(context.parameters.require("sha256"))
        let endpoint = try service.endpoint(named: request.uri.queryParameters.get("model"))
        guard let (cached, _) = try await service.lookup(sha256: sha256, endpoint: endpoint) else {
            throw APIError.notFound("no prediction of \(endpoint.name) for \(sha256); POST the image to /v1/classify")
        }
        var headers: HTTPFields = [
            .eTag: cached.etag,
            .cacheControl: "public, max-age=31536000, immutable",
            .cacheStatus: "hit",
        ]
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == cached.etag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: cached.json)))
    }

    struct CheckRequest: Decodable {
        var model: String?
        var sha256: [String]
    }

    struct CheckAnswer: Encodable {
        var model: String
        var known: [Prediction]
        var unknown: [String]
    }

    func check(_ request: Request, _ context: ServingContext) async throws -> Response {
        try context.require(.read)
        var request = request
        let body = try await ImageUpload.bytes(of: &request, limit: 1024 * 1024, context: context)
        let input: CheckRequest
        do {
            input = try JSONDecoder().decode(CheckRequest.self, from: Data(body))
        } catch {
            throw APIError.badRequest("bad_json", "the body must be JSON like {\"model\": \"…\", \"sha256\": [\"<64 hex>\", …]}")
        }
        guard input.sha256.count <= limits.maxCheckHashes else {
            throw APIError.badRequest("too_many_hashes", "send at most \(limits.maxCheckHashes) hashes per request")
        }
        let endpoint = try service.endpoint(named: input.model)
        var known: [Prediction] = [], unknown: [String] = []
        for hash in input.sha256 {
            let sha256 = try Self.sha256(hash)
            if let (cached, _) = try await service.lookup(sha256: sha256, endpoint: endpoint) {
                var prediction = cached.prediction
                prediction.embedding = nil
                known.append(prediction)
            } else {
                unknown.append(sha256)
            }
        }
        return try Self.json(CheckAnswer(model: endpoint.name, known: known, unknown: unknown))
    }
}

extension PredictionRoutes {
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func sha256(_ text: String) throws(APIError) -> String {
        let lowered = text.lowercased()
        guard lowered.count == 64, lowered.allSatisfy({ $0.isASCIIHexDigit }) else {
            throw .badRequest("bad_sha256", "'\(text.prefix(80))' is not a SHA-256: send 64 hex digits")
        }
        return lowered
    }

    static func integer(_ text: String?, name: String, default value: Int, range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let text else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw .badRequest("bad_parameter", "\(name) must be a whole number within \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    static func boolean(_ text: String?, name: String) throws(APIError) -> Bool {
        switch text?.lowercased() {
        case nil, "false", "0": return false
        case "true", "1": return true
        default: throw .badRequest("bad_parameter", "\(name) must be true or false")
        }
    }
}

extension HTTPField.Name {
    /// Whether the answer came from a cache tier; also the label the latency metrics use.
    static let cacheStatus = Self("X-Lenscale-Cache")!
}
