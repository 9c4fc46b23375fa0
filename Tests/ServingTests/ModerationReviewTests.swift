import Composition
import Foundation
import HTTPTypes
import ImageDecoding
import Keys
import Moderation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Serving
import Testing
import TestSupport

/// `?moderate=true`, the review queue, claims, verdicts and the audit log over HTTP, with the
/// real cascade (EfficientNet-Lite0 online, NudeNet, Lite2 in the in-process worker) on real
/// photos. The policy flags ImageNet classes the shared photos contain (rocket.jpg: missile,
/// grace_hopper.jpg: military uniform), so no unsafe image is needed.
@Suite("Moderation over HTTP: classify?moderate=true, the review queue and the audit log", .serialized)
struct ModerationReviewTests {
    static let policyYAML = """
        version: 3
        sample_rate: 0
        categories:
          weapons:
            imagenet_classes: [missile, "projectile, missile", space shuttle]
            escalate_at: 0.05
            review_at: 0.05
            block_at: 0.999
          uniforms:
            imagenet_classes: [military uniform]
            escalate_at: 0.05
            review_at: 0.05
            block_at: 0.999
        """

    // MARK: bodies as tests read them

    struct Decision: Decodable {
        struct Category: Decodable {
            var name: String
            var score: Float
            var verdict: String
        }
        var sha256: String
        var outcome: String
        var stage: String
        var categories: [Category]
        var policy_version: String
        var reviewer: String?
        var review_item: Int64?
        var heavy_job: Int64?
    }

    struct Classified: Decodable {
        struct Label: Decodable { var name: String }
        var sha256: String
        var labels: [Label]
        var moderation: Decision?
    }

    struct Item: Decodable {
        var id: Int64
        var sha256: String
        var category: String
        var reason: String
        var state: String
        var claimed_by: String?
        var reviewer: String?
        var verdict_reason: String?
        var decision: Decision
        var image_url: String
    }

    struct Page: Decodable {
        var items: [Item]
        var next_cursor: Int64?
        var pending: Int
    }

    struct Claim: Decodable {
        var item: Item?
        var pending: Int
    }

    struct Verdict: Decodable {
        var item: Item
        var decision: Decision
    }

    struct Audit: Decodable {
        struct Entry: Decodable {
            var id: Int64
            var event: String
            var sha256: String
            var review_item: Int64?
            var actor: String
            var outcome: String
            var policy_version: String
            var reason: String?
        }
        var entries: [Entry]
        var next: Int64
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(buffer: response.body))
        } catch {
            throw TestFailure("\(response.status): \(String(buffer: response.body)) is not a \(type): \(error)")
        }
    }

    // MARK: harness

    /// A server over a fresh folder with moderation on (policy file written here), the
    /// in-process worker running the heavy stage, and a second reviewer's key.
    static func withModeration(
        _ body: @Sendable (_ client: any TestClientProtocol, _ server: TestServer, _ secondReviewer: HTTPFields, _ policyID: String) async throws -> Void
    ) async throws {
        let server = try await TestServer.open()
        let policy = server.directory.appendingPathComponent("policy.yaml")
        try policyYAML.write(to: policy, atomically: true, encoding: .utf8)
        let graph = try await ServerGraph.build(runtime: server.runtime, manifest: Classifiers.manifest, inference: Classifiers.inference, policyFile: policy)
        let moderation = try #require(graph.moderation).setup
        let app = graph.application()
        let (key, token) = try APIKey.generate(name: "second-reviewer", scopes: [.review])
        try await server.runtime.keys.insert(key)
        var headers = server.headers(nil, contentType: "application/json")
        headers[.authorization] = "Bearer \(token)"
        let second = headers
        do {
            try await app.test(.router) { client in
                try await client.waitUntilReady()
                try await body(client, server, second, moderation.cascade.policy.id)
            }
        } catch {
            await server.close()
            throw error
        }
        await server.close()
    }

    static func classify(_ client: some TestClientProtocol, _ server: TestServer, _ file: String) async throws -> Classified {
        let answer = try await client.execute(uri: "/v1/classify?moderate=true", method: .post, headers: server.headers(.classify),
                                              body: ByteBuffer(bytes: try photoBytes(file)))
        #expect(answer.status == .ok, "\(file): \(String(buffer: answer.body))")
        return try decode(Classified.self, answer)
    }

    /// Polls the decision in force until the heavy stage (or a person) has decided.
    static func settled(_ client: some TestClientProtocol, _ server: TestServer, _ sha256: String) async throws -> Decision {
        for _ in 0..<600 {
            let answer = try await client.execute(uri: "/v1/moderation/\(sha256)", method: .get, headers: server.headers(.read))
            if answer.status == .ok {
                let decision = try decode(Decision.self, answer)
                if decision.outcome != "uncertain" { return decision }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("the heavy stage never decided \(sha256)")
    }

    static func post(_ client: some TestClientProtocol, _ uri: String, _ headers: HTTPFields, json: String? = nil) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    // MARK: tests

    @Test("uploads are moderated online, uncertain ones go through the heavy stage to review, reviewers claim and decide, and the decision overrides the models")
    func reviewFlow() async throws {
        try await Self.withModeration { client, server, second, policyID in
            let first = server.headers(.review, contentType: "application/json")

            // A castle is allowed online; rocket and portrait are uncertain and get a heavy job.
            let castle = try await Self.classify(client, server, "castle-maintenon.jpg")
            #expect(castle.moderation?.outcome == "allow" && castle.moderation?.stage == "light")
            #expect(castle.labels.isEmpty == false)
            let rocket = try await Self.classify(client, server, "rocket.jpg")
            #expect(rocket.moderation?.outcome == "uncertain" && rocket.moderation?.heavy_job != nil, "\(String(describing: rocket.moderation))")
            #expect(rocket.moderation?.policy_version == policyID)
            let hopper = try await Self.classify(client, server, "grace_hopper.jpg")
            #expect(hopper.moderation?.outcome == "uncertain")

            let rocketHeavy = try await Self.settled(client, server, rocket.sha256)
            #expect(rocketHeavy.stage == "heavy" && rocketHeavy.outcome == "review" && rocketHeavy.review_item != nil)
            let hopperHeavy = try await Self.settled(client, server, hopper.sha256)
            #expect(hopperHeavy.outcome == "review")
            let rocketItem = try #require(rocketHeavy.review_item)
            let hopperItem = try #require(hopperHeavy.review_item)

            // Listing: both pending, keyset pages of one, filters by category, age and state.
            let all = try Self.decode(Page.self, try await client.execute(uri: "/v1/review", method: .get, headers: first))
            #expect(Set(all.items.map(\.id)) == [rocketItem, hopperItem] && all.pending == 2 && all.next_cursor == nil)
            let page1 = try Self.decode(Page.self, try await client.execute(uri: "/v1/review?limit=1", method: .get, headers: first))
            let cursor = try #require(page1.next_cursor)
            let page2 = try Self.decode(Page.self, try await client.execute(uri: "/v1/review?limit=1&after=\(cursor)", method: .get, headers: first))
            #expect(page1.items.count == 1 && page2.items.count == 1 && page1.items[0].id < page2.items[0].id)
            #expect(Set((page1.items + page2.items).map(\.id)) == [rocketItem, hopperItem])
            let uniforms = try Self.decode(Page.self, try await client.execute(uri: "/v1/review?category=uniforms", method: .get, headers: first))
            #expect(uniforms.items.map(\.id) == [hopperItem] && uniforms.pending == 1)
            let future = try Self.decode(Page.self, try await client.execute(uri: "/v1/review?created_after=2100-01-01T00:00:00Z", method: .get, headers: first))
            #expect(future.items.isEmpty)
            let past = try Self.decode(Page.self, try await client.execute(uri: "/v1/review?created_before=2000-01-01T00:00:00Z", method: .get, headers: first))
            #expect(past.items.isEmpty)
            let none = try Self.decode(Page.self, try await client.execute(uri: "/v1/review?state=approved", method: .get, headers: first))
            #expect(none.items.isEmpty)

            // The reviewer sees the image itself.
            let image = try await client.execute(uri: "/v1/review/\(rocketItem)/image", method: .get, headers: first)
            #expect(image.status == .ok && image.headers[.contentType] == "image/jpeg")
            #expect(Array(buffer: image.body) == (try photoBytes("rocket.jpg")))

            // Deciding without a claim is refused.
            let unclaimed = try await Self.post(client, "/v1/review/\(rocketItem)", first, json: #"{"verdict": "approve", "reason": "x"}"#)
            #expect(try unclaimed.status == .conflict && ErrorBody.decode(unclaimed).error.code == "not_claimed")

            // Two reviewers: the first claims the rocket; the second cannot take it, is given the other item.
            let claimed = try Self.decode(Item.self, try await Self.post(client, "/v1/review/\(rocketItem)/claim", first))
            #expect(claimed.state == "claimed" && claimed.claimed_by?.contains("test-review") == true)
            let contested = try await Self.post(client, "/v1/review/\(rocketItem)/claim", second)
            #expect(try contested.status == .conflict && ErrorBody.decode(contested).error.code == "claimed_by_other")
            let next = try Self.decode(Claim.self, try await Self.post(client, "/v1/review/claim", second))
            #expect(next.item?.id == hopperItem)
            let nothingLeft = try Self.decode(Claim.self, try await Self.post(client, "/v1/review/claim", first))
            #expect(nothingLeft.item == nil && nothingLeft.pending == 0)
            let raw = try await Self.post(client, "/v1/review/claim", first)
            #expect(String(buffer: raw.body).contains("\"item\":null"), "an empty claim says item: null")
            let notYours = try await Self.post(client, "/v1/review/\(rocketItem)", second, json: #"{"verdict": "reject", "reason": "mine now"}"#)
            #expect(try notYours.status == .conflict && ErrorBody.decode(notYours).error.code == "claimed_by_other")

            // Verdicts: the rocket approved, the portrait rejected.
            let approved = try Self.decode(Verdict.self, try await Self.post(client, "/v1/review/\(rocketItem)", first,
                                                                             json: #"{"verdict": "approve", "reason": "a space launch"}"#))
            #expect(approved.item.state == "approved" && approved.decision.outcome == "allow" && approved.decision.stage == "human")
            #expect(approved.item.reviewer?.contains("test-review") == true && approved.item.verdict_reason == "a space launch")
            let again = try await Self.post(client, "/v1/review/\(rocketItem)", first, json: #"{"verdict": "reject", "reason": "changed my mind"}"#)
            #expect(try again.status == .conflict && ErrorBody.decode(again).error.code == "already_decided")
            let rejected = try Self.decode(Verdict.self, try await Self.post(client, "/v1/review/\(hopperItem)", second,
                                                                             json: #"{"verdict": "reject", "reason": "test rejection"}"#))
            #expect(rejected.decision.outcome == "block")
            let approvedList = try Self.decode(Page.self, try await client.execute(uri: "/v1/review?state=approved", method: .get, headers: first))
            #expect(approvedList.items.map(\.id) == [rocketItem])

            // Override: the human decision is served from now on; a rejected image is blocked at once.
            let rocketAgain = try await Self.classify(client, server, "rocket.jpg")
            #expect(rocketAgain.moderation?.outcome == "allow" && rocketAgain.moderation?.stage == "human")
            #expect(rocketAgain.moderation?.reviewer?.contains("test-review") == true && rocketAgain.moderation?.review_item == rocketItem)
            let hopperAgain = try await Self.classify(client, server, "grace_hopper.jpg")
            #expect(hopperAgain.moderation?.outcome == "block" && hopperAgain.moderation?.stage == "human" && hopperAgain.labels.isEmpty)

            // Audit: every decision for the rocket, in order, with actor and policy.
            let audit = try Self.decode(Audit.self, try await client.execute(uri: "/v1/audit?sha256=\(rocket.sha256)", method: .get, headers: first))
            #expect(audit.entries.map(\.event) == ["moderation.decided", "moderation.decided", "moderation.review_requested", "moderation.reviewed"],
                    "\(audit.entries.map { "\($0.event) \($0.actor) \($0.outcome)" })")
            #expect(audit.entries.map(\.actor).prefix(2) == ["model:light", "model:heavy"])
            #expect(audit.entries.last?.actor.contains("test-review") == true && audit.entries.last?.outcome == "allow")
            #expect(audit.entries.last?.reason == "a space launch" && audit.entries.last?.review_item == rocketItem)
            #expect(audit.entries.allSatisfy { $0.policy_version == policyID })
            let everything = try Self.decode(Audit.self, try await client.execute(uri: "/v1/audit?limit=1000", method: .get, headers: server.headers(.admin)))
            #expect(everything.entries.filter { $0.event == "moderation.reviewed" }.count == 2)
            let later = try Self.decode(Audit.self, try await client.execute(uri: "/v1/audit?after=\(everything.next)", method: .get, headers: first))
            #expect(later.entries.isEmpty && later.next == everything.next)

            // The same facts are on the event feed.
            let feed = try await client.execute(uri: "/v1/events?after=0&limit=1000", method: .get, headers: server.headers(.read))
            let kinds = try Self.decode(JobRouteTests.EventsBody.self, feed).events.map(\.kind)
            #expect(Set(kinds).isSuperset(of: ["moderation.decided", "moderation.review_requested", "moderation.reviewed"]))
        }
    }

    @Test("review routes answer bad input with 400, 403, 404 and 409, and who-am-I names the key")
    func badInput() async throws {
        try await Self.withModeration { client, server, _, _ in
            let review = server.headers(.review, contentType: "application/json")
            let cases: [(String, HTTPRequest.Method, HTTPFields, String?, HTTPResponse.Status)] = [
                ("/v1/review/999999", .get, review, nil, .notFound),
                ("/v1/review/999999/claim", .post, review, nil, .notFound),
                ("/v1/review/999999", .post, review, #"{"verdict": "approve", "reason": "x"}"#, .notFound),
                ("/v1/review/999999/image", .get, review, nil, .notFound),
                ("/v1/review/abc", .get, review, nil, .badRequest),
                ("/v1/review/-4", .get, review, nil, .badRequest),
                ("/v1/review/1", .post, review, #"{"verdict": "maybe", "reason": "x"}"#, .badRequest),
                ("/v1/review/1", .post, review, "not json", .badRequest),
                ("/v1/review?state=lost", .get, review, nil, .badRequest),
                ("/v1/review?limit=0", .get, review, nil, .badRequest),
                ("/v1/review?limit=501", .get, review, nil, .badRequest),
                ("/v1/review?created_after=yesterday", .get, review, nil, .badRequest),
                ("/v1/review/claim?lease=1", .post, review, nil, .badRequest),
                ("/v1/audit?sha256=xyz", .get, review, nil, .badRequest),
                ("/v1/moderation/xyz", .get, server.headers(.read), nil, .badRequest),
                ("/v1/moderation/\(String(repeating: "a", count: 64))", .get, server.headers(.read), nil, .notFound),
                ("/v1/review", .get, server.headers(.classify), nil, .forbidden),
                ("/v1/review/claim", .post, server.headers(.read), nil, .forbidden),
                ("/v1/audit", .get, server.headers(.classify), nil, .forbidden),
                ("/v1/review", .get, server.headers(nil), nil, .unauthorized),
                ("/v1/whoami", .get, server.headers(nil), nil, .unauthorized),
                ("/v1/classify?moderate=maybe", .post, server.headers(.classify), nil, .badRequest),
            ]
            for (uri, method, headers, body, status) in cases {
                let answer = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
                #expect(answer.status == status, "\(method) \(uri): \(answer.status) \(String(buffer: answer.body))")
                #expect((try? ErrorBody.decode(answer)) != nil, "\(method) \(uri) has no JSON error body")
            }
            let me = try await client.execute(uri: "/v1/whoami", method: .get, headers: server.headers(.review))
            #expect(me.status == .ok)
            let whoami = try JSONSerialization.jsonObject(with: Data(buffer: me.body)) as? [String: Any]
            #expect(whoami?["name"] as? String == "test-review" && whoami?["scopes"] as? [String] == ["review"])
            #expect((whoami?["key_id"] as? String)?.isEmpty == false)
            // The server is still serving.
            #expect(try await client.execute(uri: "/healthz", method: .get) { $0.status } == .ok)
        }
    }

    @Test("without a policy, ?moderate=true is 501 with a message naming the setting; the pages are served")
    func moderationOff() async throws {
        let server = try await TestServer.open()
        #expect(ModerationSetup.policyFile(path: nil, environment: [ModerationSetup.policyVariable: "/x/p.yaml"])?.path == "/x/p.yaml")
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            let answer = try await client.execute(uri: "/v1/classify?moderate=true", method: .post, headers: server.headers(.classify),
                                                  body: ByteBuffer(bytes: try photoBytes("rocket.jpg")))
            #expect(try answer.status == .notImplemented && ErrorBody.decode(answer).error.message.contains(ModerationSetup.policyVariable))
            for (path, type) in [("/", "text/html"), ("/review", "text/html"), ("/static/review.js", "text/javascript"),
                                 ("/static/upload.js", "text/javascript"), ("/static/common.js", "text/javascript"), ("/static/app.css", "text/css")] {
                let page = try await client.execute(uri: path, method: .get)
                #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix(type) == true, "\(path): \(page.status)")
            }
        }
        await server.close()
    }

    @Test("a malformed policy file fails to open, naming its file and line")
    func malformedPolicy() async throws {
        let server = try await TestServer.open()
        let policy = server.directory.appendingPathComponent("bad.yaml")
        try "version: 1\ncategories:\n  weapons:\n    imagenet_classes: [no such class]\n    escalate_at: 0.1\n    review_at: 0.5\n    block_at: 0.9\nsample_rate: 0\n".write(to: policy, atomically: true, encoding: .utf8)
        #expect {
            try ModerationSetup.load(policyFile: policy, manifest: Classifiers.manifest, inference: Classifiers.inference, onlineClassifier: "efficientnet-lite0",
                                     limits: DecodeLimits(), catalog: server.runtime.workspace.catalog)
        } throws: { "\($0)".contains("bad.yaml:4") }
        await server.close()
    }
}
