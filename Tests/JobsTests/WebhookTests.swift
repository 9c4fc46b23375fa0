import Catalog
import Foundation
import Jobs
import Testing
import TestSupport

@Suite(.serialized) struct WebhookTests {
    /// `tools/webhook_receiver.py` on a free port, failing its first `failFirst` requests.
    final class Receiver {
        let process = Process()
        let log: URL
        let port: Int

        init(secret: String, failFirst: Int) throws {
            log = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-\(UUID().uuidString).jsonl")
            process.executableURL = TestPaths.python
            process.arguments = [TestPaths.repositoryRoot.appendingPathComponent("tools/webhook_receiver.py").path,
                                 "--secret", secret, "--fail-first", String(failFirst), "--log", log.path]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            // One line (the port); the pipe is not read to its end, which may never come.
            var data = Data()
            while !data.contains(UInt8(ascii: "\n")) {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
            }
            let line = String(decoding: data, as: UTF8.self)
            guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw TestPostgresError(message: "the webhook receiver did not start: '\(line)'")
            }
            self.port = port
        }

        struct Request: Decodable {
            let status: Int
            let valid: Bool
            let event_id: String?
            let body: String
        }

        var requests: [Request] {
            guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
        }

        /// SIGKILL: a child of the test process may inherit a mask that blocks SIGTERM.
        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: log)
        }
    }

    /// The endpoint fails three times, then succeeds: it still gets every event it subscribed
    /// to, once accepted, in order, each with a valid signature; the log shows the failures.
    @Test(arguments: TestBackend.allCases)
    func failingEndpointGetsEveryEventSigned(_ backend: TestBackend) async throws {
        let secret = "whsec_0123456789abcdef"
        let receiver = try Receiver(secret: secret, failFirst: 3)
        defer { receiver.stop() }
        try await TestQueues.with(backend) { queues in
            try await queues.first.append([NewEvent(kind: "image.labelled", subject: "old", data: "{}")])
            let subscription = try await queues.first.createWebhook(
                NewWebhook(url: "http://127.0.0.1:\(receiver.port)/hook", secret: secret, kinds: ["image.*", "batch.completed"]))
            #expect(subscription.cursor == 1, "a new subscription starts at the end of the feed")
            #expect(try await queues.first.webhooks().map(\.id) == [subscription.id])
            try await queues.first.append([
                NewEvent(kind: "image.labelled", subject: "a", data: "{\"n\":1}"),
                NewEvent(kind: "moderation.flagged", subject: "a", data: "{\"n\":2}"),
                NewEvent(kind: "image.embedded", subject: "a", data: "{\"n\":3}"),
                NewEvent(kind: "batch.completed", subject: "b", data: "{\"n\":4}"),
            ])
            // The receiver is on loopback, which only an explicit allow-list permits.
            let dispatcher = WebhookDispatcher(queue: queues.second, httpClient: TestWebhookClient.shared, targets: WebhookTargetPolicy(allowed: [AddressRange(parsing: "127.0.0.0/8")!]),
                                               pollInterval: .seconds(0.05), timeout: .seconds(5), backoff: JobBackoff(base: .seconds(0.05), cap: .seconds(0.2)))
            let run = Task { await dispatcher.run() }
            let deadline = ContinuousClock.now + .seconds(60)
            // Until the dispatcher has recorded the last delivery, not merely sent it: the receiver
            // sees a request before the dispatcher logs its answer and moves the cursor.
            while ContinuousClock.now < deadline {
                let cursor = try await queues.first.webhooks().first?.cursor ?? 0
                if receiver.requests.filter({ $0.status == 200 }).count >= 3, cursor >= 5 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            run.cancel()
            await run.value
            let requests = receiver.requests
            #expect(requests.prefix(3).allSatisfy { $0.status == 503 })
            let accepted = requests.filter { $0.status == 200 }
            #expect(accepted.compactMap(\.event_id) == ["2", "4", "5"], "every matching event once, in order")
            #expect(requests.allSatisfy { $0.valid }, "every delivery is signed with the secret")
            #expect(accepted.first?.body.contains("\"kind\":\"image.labelled\"") == true)
            let log = try await queues.first.deliveries(webhook: subscription.id, limit: 100)
            #expect(log.filter { !$0.succeeded }.count == 3 && log.filter(\.succeeded).count == 3)
            #expect(log.filter { !$0.succeeded }.allSatisfy { $0.eventID == 2 && $0.statusCode == 503 })
            #expect(try await queues.first.webhooks().first?.cursor == 5)
            try await queues.first.deleteWebhook(id: subscription.id)
            await #expect(throws: JobQueueError.unknownWebhook(subscription.id)) { try await queues.first.deleteWebhook(id: subscription.id) }
        }
    }

    @Test func badSubscriptionsAreRefusedWithAReason() async throws {
        try await TestQueues.with(.sqlite) { queues in
            await #expect(throws: JobQueueError.self) {
                _ = try await queues.first.createWebhook(NewWebhook(url: "ftp://example.com/x", secret: String(repeating: "s", count: 32)))
            }
            do {
                _ = try await queues.first.createWebhook(NewWebhook(url: "https://example.com/x", secret: "short"))
                Issue.record("a short secret was accepted")
            } catch {
                #expect("\(error)".contains("at least 16 bytes"))
            }
        }
    }

    @Test func signaturesVerifyAndRejectTampering() {
        let header = WebhookSignature.sign(body: "{\"id\":1}", secret: "k", timestamp: Int(Date().timeIntervalSince1970))
        #expect(header.hasPrefix("t=") && header.contains(",v1="))
        #expect(WebhookSignature.verify(header: header, body: "{\"id\":1}", secret: "k"))
        #expect(!WebhookSignature.verify(header: header, body: "{\"id\":2}", secret: "k"))
        #expect(!WebhookSignature.verify(header: header, body: "{\"id\":1}", secret: "other"))
        let old = WebhookSignature.sign(body: "x", secret: "k", timestamp: 1_000)
        #expect(!WebhookSignature.verify(header: old, body: "x", secret: "k"), "replays outside the tolerance fail")
    }
}
