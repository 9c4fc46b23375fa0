import Catalog
import Clocks
import Foundation
import HTTPTypes
import Hummingbird
import ImageDecoding
import ServiceLifecycle
import Jobs
import NIOCore
import Submissions

/// Async bulk uploads and the event feed: `POST /v1/batches`, `GET /v1/batches/{id}`,
/// `GET /v1/events` (long poll), `GET /v1/events/stream` (SSE) and the webhook registry.
///
/// Thin on purpose: `BatchSubmitter` is the one path that stores and enqueues (the CLI's
/// `ingest --async` uses it too), and the queue owns the feed.
public struct JobRoutes: Sendable {
    let queue: any JobQueue
    let submitter: BatchSubmitter
    let maxBatchBytes: Int
    /// Open event streams and long polls per key.
    let streams: StreamSlots
    /// How long one event stream or long poll stays open (`limits.max_stream_s`), on `clock`.
    let maxStreamDuration: Duration
    let clock: any Clock<Duration>
    /// Where webhooks may point; vetted here for a clear 400, and again at each delivery.
    let targets: WebhookTargetPolicy

    public init(queue: any JobQueue, submitter: BatchSubmitter, maxBatchBytes: Int, maxStreamsPerKey: Int = 8,
                maxStreamDuration: Duration = .seconds(600), clock: any Clock<Duration> = ContinuousClock(),
                targets: WebhookTargetPolicy = WebhookTargetPolicy()) {
        self.maxStreamDuration = maxStreamDuration
        self.clock = clock
        self.streams = StreamSlots(perKey: maxStreamsPerKey)
        self.queue = queue
        self.submitter = submitter
        self.maxBatchBytes = maxBatchBytes
        self.targets = targets
    }

    public func add(to router: Router<ServingContext>) {
        router.post("/v1/batches") { request, context in try await submit(request, context) }
        router.get("/v1/batches/:id") { request, context in try await batch(request, context) }
        router.get("/v1/events") { request, context in try await events(request, context) }
        router.get("/v1/events/stream") { request, context in try await stream(request, context) }
        router.post("/v1/webhooks") { request, context in try await createWebhook(request, context) }
        router.get("/v1/webhooks") { _, context in try await listWebhooks(context) }
        router.delete("/v1/webhooks/:id") { _, context in try await deleteWebhook(context) }
        router.get("/v1/webhooks/:id/deliveries") { _, context in try await deliveries(context) }
    }

    // MARK: batches

    struct KeysBody: Decodable { var keys: [String] }

    func submit(_ request: Request, _ context: ServingContext) async throws -> Response {
        try context.require(.ingest)
        var request = request
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let receipt: BatchReceipt
        if contentType.hasPrefix("application/json") {
            let body = try await ImageUpload.bytes(of: &request, limit: 1024 * 1024, context: context)
            guard let keys = try? JSONDecoder().decode(KeysBody.self, from: Data(body)) else {
                throw APIError.badRequest("bad_json", "send {\"keys\": [\"<key in the object store>\", …]} or a multipart form of 'images' files")
            }
            do {
                receipt = try await submitter.submit(keys.keys.map { .storedKey($0) }, priority: .online)
            } catch {
                throw APIError.submission(error)
            }
        } else if contentType.hasPrefix("multipart/form-data") {
            receipt = try await submitForm(&request, context)
        } else {
            throw APIError.unsupportedMedia(contentType.isEmpty ? "none" : contentType)
        }
        var response = try PredictionRoutes.json(BatchAnswer(receipt), status: .accepted)
        response.headers[.location] = "/v1/batches/\(receipt.id)"
        return response
    }

    /// A form's `images` parts, each stored as it arrives (see `BatchSubmitter.submit(priority:next:settled:)`):
    /// the server holds a few images of a batch at a time, not its whole body.
    func submitForm(_ request: inout Request, _ context: ServingContext) async throws(APIError) -> BatchReceipt {
        let maxBytes = submitter.limits.maxBytes
        var parts = try await ImageUpload.multipart(&request, limit: maxBatchBytes, maxFileBytes: maxBytes, maxParts: submitter.maxItems,
                                              context: context) { $0.name == "images" }
        var index = 0
        let reservation = context.body
        do throws(BatchStreamError<APIError>) {
            return try await submitter.submit(priority: .online, next: { () async throws(APIError) -> BatchUpload? in
                guard let part = try await parts.next() else { return nil }
                defer { index += 1 }
                // Each must be a file part (a filename), as every browser and `curl -F
                // images=@photo.jpg` sends; a plain text field under that name is a client's mistake.
                guard let filename = part.head.filename else {
                    throw APIError.badRequest("not_a_file", "an 'images' part without a filename is a text field, not a file; send each image as a form file")
                }
                let name = filename.isEmpty ? "image-\(index)" : filename
                if let size = part.oversize {
                    return .rejected(name: name, reason: DecodeError.tooManyBytes(count: size, limit: maxBytes).description)
                }
                return .bytes(name: name, bytes: part.bytes, sha256: part.sha256)
            }, settled: { bytes in reservation?.give(bytes) })
        } catch {
            switch error {
            case .submission(.empty):
                throw APIError.badRequest("no_image", "the form has no 'images' file part; send each image as a form file named 'images'")
            case .submission(let error): throw APIError.submission(error)
            case .upload(let error): throw error
            }
        }
    }

    func batch(_ request: Request, _ context: ServingContext) async throws -> Response {
        try context.require(.read)
        let id = try context.parameters.require("id")
        guard id.count <= 64, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw APIError.badRequest("bad_id", "'\(id.prefix(80))' is not a batch id")
        }
        guard let status = try await mapped({ () throws(JobQueueError) in try await queue.batch(id: id) }) else {
            throw APIError.notFound("no batch \(id)")
        }
        return try PredictionRoutes.json(BatchStatusAnswer(status))
    }

    // MARK: events

    func events(_ request: Request, _ context: ServingContext) async throws -> Response {
        let principal = try context.require(.read)
        let query = request.uri.queryParameters
        let after = try Int64(PredictionRoutes.integer(query.get("after"), name: "after", default: 0, range: 0...Int.max))
        let limit = try PredictionRoutes.integer(query.get("limit"), name: "limit", default: 100, range: 1...1000)
        let wait = try PredictionRoutes.integer(query.get("wait"), name: "wait", default: 0, range: 0...60)
        var page = try await mapped { () throws(JobQueueError) in try await queue.events(after: after, limit: limit) }
        if page.isEmpty, wait > 0 {
            let wait = min(Duration.seconds(wait), maxStreamDuration)
            let woke = try await streams.withSlot(for: principal.keyID) {
                try await mapped { () throws(JobQueueError) in try await queue.waitForEvents(after: after, timeout: wait) }
            }
            if woke {
                page = try await mapped { () throws(JobQueueError) in try await queue.events(after: after, limit: limit) }
            }
        }
        let next = page.last?.id ?? after
        let body = "{\"events\":[\(page.map(\.json).joined(separator: ","))],\"next\":\(next)}"
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Server-Sent Events from `Last-Event-ID` (or `?after=`), with a comment every 15 s of
    /// silence so proxies keep the connection; ends when the client goes away, and at once when
    /// the server shuts down (a stream never ends by itself, so it would hold the drain up).
    func stream(_ request: Request, _ context: ServingContext) async throws -> Response {
        let principal = try context.require(.read)
        let after = try PredictionRoutes.integer(request.uri.queryParameters.get("after"), name: "after", default: 0, range: 0...Int.max)
        let resume: Int64
        if let header = request.headers[.lastEventID] {
            guard let id = Int64(header.trimmingCharacters(in: .whitespaces)), id >= 0 else {
                throw APIError.badRequest("bad_parameter", "Last-Event-ID must be an event id (a whole number of at least 0)")
            }
            resume = id
        } else {
            resume = Int64(after)
        }
        let queue = self.queue
        // The slot is taken here, so a refusal is a 429 answer, and given back when the stream
        // ends, however it ends.
        let (streams, key) = (self.streams, principal.keyID)
        try streams.take(key)
        let (lifetime, elapsed) = (maxStreamDuration, Stopwatch.start(on: clock))
        let body = ResponseBody { writer in
            defer { streams.give(key) }
            var cursor = resume
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            let shutdown = ShutdownSignal()
            try await withGracefulShutdownHandler {
                while !Task.isCancelled, !shutdown.isSet, elapsed() < lifetime {
                    let page = try await queue.events(after: cursor, limit: 500)
                    for event in page {
                        try await writer.write(ByteBuffer(string: "id: \(event.id)\nevent: \(event.kind)\ndata: \(event.json)\n\n"))
                        cursor = event.id
                    }
                    if page.count == 500 { continue }
                    let timeout = min(.seconds(15), max(.milliseconds(10), lifetime - elapsed()))
                    if try await !Self.waitForEvents(queue, after: cursor, timeout: timeout, unless: shutdown), !shutdown.isSet,
                       elapsed() < lifetime {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                }
            } onGracefulShutdown: {
                shutdown.set()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store", .connection: "keep-alive"], body: body)
    }

    /// `queue.waitForEvents`, cut short when `shutdown` is set.
    static func waitForEvents(_ queue: any JobQueue, after cursor: Int64, timeout: Duration, unless shutdown: ShutdownSignal) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await queue.waitForEvents(after: cursor, timeout: timeout) }
            group.addTask {
                await shutdown.wait()
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
    }

    // MARK: webhooks

    struct WebhookBody: Decodable {
        var url: String
        var secret: String
        var kinds: [String]?
        var startAfter: Int64?
        enum CodingKeys: String, CodingKey { case url, secret, kinds, startAfter = "start_after" }
    }

    func createWebhook(_ request: Request, _ context: ServingContext) async throws -> Response {
        try context.require(.admin)
        var request = request
        let body = try await ImageUpload.bytes(of: &request, limit: 64 * 1024, context: context)
        guard let input = try? JSONDecoder().decode(WebhookBody.self, from: Data(body)) else {
            throw APIError.badRequest("bad_json", "send {\"url\": \"https://…\", \"secret\": \"at least 16 bytes\", \"kinds\": [\"image.*\"]}")
        }
        do {
            _ = try await targets.vet(input.url)
        } catch {
            throw APIError.badRequest("bad_webhook", error.description)
        }
        let created: WebhookSubscription
        do {
            created = try await queue.createWebhook(NewWebhook(url: input.url, secret: input.secret, kinds: input.kinds ?? [], startAfter: input.startAfter))
        } catch {
            throw error.isTransient ? APIError.unavailable("queue", detail: error.description)
                : APIError.badRequest("bad_webhook", error.description)
        }
        return try PredictionRoutes.json(WebhookAnswer(created), status: .created)
    }

    func listWebhooks(_ context: ServingContext) async throws -> Response {
        try context.require(.admin)
        let hooks = try await mapped { () throws(JobQueueError) in try await queue.webhooks() }
        return try PredictionRoutes.json(["webhooks": hooks.map(WebhookAnswer.init)])
    }

    func deleteWebhook(_ context: ServingContext) async throws -> Response {
        try context.require(.admin)
        let id = try webhookID(context)
        do {
            try await queue.deleteWebhook(id: id)
        } catch .unknownWebhook(_) {
            throw APIError.notFound("no webhook \(id)")
        } catch {
            throw APIError.unavailable("queue", detail: error.description)
        }
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }

    func deliveries(_ context: ServingContext) async throws -> Response {
        try context.require(.admin)
        let id = try webhookID(context)
        let log = try await mapped { () throws(JobQueueError) in try await queue.deliveries(webhook: id, limit: 100) }
        return try PredictionRoutes.json(["deliveries": log.map(DeliveryAnswer.init)])
    }

    func webhookID(_ context: ServingContext) throws -> Int64 {
        guard let id = Int64(try context.parameters.require("id")), id >= 1 else {
            throw APIError.badRequest("bad_id", "webhook ids are whole numbers from 1")
        }
        return id
    }

    /// Queue failures are the server's state, not the client's fault: 503, retry.
    func mapped<T: Sendable>(_ body: () async throws(JobQueueError) -> T) async throws(APIError) -> T {
        do {
            return try await body()
        } catch {
            throw APIError.unavailable("queue", detail: "\(error)")
        }
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
}
