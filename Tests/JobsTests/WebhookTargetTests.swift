import Foundation
import Jobs
import Synchronization
import Testing
import TestSupport

/// A resolver whose answer the test changes between deliveries, as DNS rebinding would.
final class ScriptedResolver: HostResolver {
    let answers = Mutex<[String: [IPAddress]]>([:])
    let lookups = Mutex(0)

    func set(_ host: String, _ addresses: [String]) { answers.withLock { $0[host] = addresses.map { IPAddress(parsing: $0)! } } }

    func resolve(_ host: String) async throws -> [IPAddress] {
        lookups.withLock { $0 += 1 }
        guard let found = answers.withLock({ $0[host] }) else { throw SystemResolver.Failure() }
        return found
    }
}

@Suite("webhook targets: internal addresses are refused, at registration and at each delivery")
struct WebhookTargetTests {
    /// One address from each refused range, as literals and as what a name resolves to.
    static let refused = [
        "127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
        "192.168.0.1", "192.168.255.255", "100.64.0.1", "100.127.255.255", "169.254.169.254", "169.254.0.1", "224.0.0.1",
        "239.255.255.250", "255.255.255.255", "240.0.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:192.168.1.1", "::127.0.0.1", "64:ff9b::a00:1",
        "2002:7f00:1::1", "2002:a9fe:a9fe::1",
    ]
    static let publicAddresses = ["93.184.215.14", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"]

    static func url(_ host: String) -> String {
        "http://\(host.contains(":") ? "[\(host)]" : host):8080/hook"
    }

    @Test("every refused range is refused as a literal", arguments: refused)
    func literalsRefused(address: String) async {
        let policy = WebhookTargetPolicy(resolver: ScriptedResolver())
        await #expect(throws: WebhookTargetError.refused(host: address)) { try await policy.vet(Self.url(address)) }
    }

    @Test("every refused range is refused when a name resolves to it", arguments: refused)
    func resolvedRefused(address: String) async {
        let resolver = ScriptedResolver()
        resolver.set("hooks.example.com", ["93.184.215.14", address])
        let policy = WebhookTargetPolicy(resolver: resolver)
        await #expect(throws: WebhookTargetError.refused(host: "hooks.example.com")) { try await policy.vet("https://hooks.example.com/x") }
    }

    @Test("local names are refused without asking DNS", arguments: ["localhost", "LOCALHOST", "api.localhost", "localhost.", "db", "metadata.google.internal", "printer.local"])
    func localNames(host: String) async {
        let resolver = ScriptedResolver()
        resolver.set(host, ["93.184.215.14"])
        let policy = WebhookTargetPolicy(resolver: resolver)
        await #expect(throws: WebhookTargetError.self) { try await policy.vet("http://\(host)/x") }
        #expect(resolver.lookups.withLock { $0 } == 0, "\(host) was looked up in DNS")
    }

    @Test("public addresses pass, and the vetted address is the one resolved", arguments: publicAddresses)
    func publicPass(address: String) async throws {
        let resolver = ScriptedResolver()
        resolver.set("hooks.example.com", [address])
        let policy = WebhookTargetPolicy(resolver: resolver)
        let vetted = try await policy.vet("https://hooks.example.com/x")
        #expect(vetted.address == IPAddress(parsing: address))
        _ = try await policy.vet(Self.url(address))
    }

    @Test("an allow-list admits exactly its ranges")
    func allowList() async throws {
        let policy = WebhookTargetPolicy(allowed: [AddressRange(parsing: "10.20.0.0/16")!, AddressRange(parsing: "127.0.0.1/32")!],
                                         resolver: ScriptedResolver())
        _ = try await policy.vet("http://10.20.3.4/x")
        _ = try await policy.vet("http://127.0.0.1:9/x")
        _ = try await policy.vet("http://localhost:9/x".replacingOccurrences(of: "localhost", with: "127.0.0.1"))
        await #expect(throws: WebhookTargetError.self) { try await policy.vet("http://10.21.0.1/x") }
        await #expect(throws: WebhookTargetError.self) { try await policy.vet("http://127.0.0.2/x") }
        await #expect(throws: WebhookTargetError.self) { try await policy.vet("http://169.254.169.254/latest/meta-data") }
    }

    @Test("bad URLs and unresolvable names are refused", arguments: ["ftp://example.com/x", "http:///x", "not a url", "http://unknown.example.com/x"])
    func badURLs(url: String) async {
        let policy = WebhookTargetPolicy(resolver: ScriptedResolver())
        await #expect(throws: WebhookTargetError.self) { try await policy.vet(url) }
    }

    @Test("CIDR parsing", arguments: [("10.0.0.0/8", true), ("fd00::/8", true), ("1.2.3.4", true), ("10.0.0.0/33", false), ("10.0.0/8", false), ("x/1", false), ("::/129", false)])
    func cidrs(text: String, valid: Bool) {
        #expect((AddressRange(parsing: text) != nil) == valid)
    }
}

extension WebhookTests {
    /// DNS rebinding: the name resolves to the (allowed) receiver, then to a refused address.
    /// The second delivery is not sent; the log says "refused address" and nothing more.
    @Test func deliveryIsNotSentWhenTheNameNowResolvesInside() async throws {
        let secret = "whsec_0123456789abcdef"
        let receiver = try Receiver(secret: secret, failFirst: 0)
        defer { receiver.stop() }
        let resolver = ScriptedResolver()
        resolver.set("hooks.example.com", ["127.0.0.1"])
        let policy = WebhookTargetPolicy(allowed: [AddressRange(parsing: "127.0.0.1/32")!], resolver: resolver)
        try await TestQueues.with(.sqlite) { queues in
            let subscription = try await queues.first.createWebhook(
                NewWebhook(url: "http://hooks.example.com:\(receiver.port)/hook", secret: secret, kinds: []))
            let dispatcher = WebhookDispatcher(queue: queues.first, httpClient: TestWebhookClient.shared, targets: policy, pollInterval: .seconds(0.05), timeout: .seconds(5),
                                               backoff: JobBackoff(base: .seconds(0.01), cap: .seconds(0.01)))
            try await queues.first.append([NewEvent(kind: "image.labelled", subject: "a", data: "{}")])
            #expect(await dispatcher.deliverDue() == 1, "the first delivery (to the pinned, allowed address) failed")
            #expect(receiver.requests.count == 1)

            resolver.set("hooks.example.com", ["10.0.0.7"])
            try await queues.first.append([NewEvent(kind: "image.labelled", subject: "b", data: "{}")])
            #expect(await dispatcher.deliverDue() == 0)
            #expect(receiver.requests.count == 1, "a delivery went out after the name resolved to a refused address")
            let failed = try await queues.first.deliveries(webhook: subscription.id, limit: 10).filter { !$0.succeeded }
            #expect(failed.count == 1)
            #expect(failed.first?.error == "refused address")
            #expect(failed.first?.statusCode == nil)
        }
    }

    /// The deliveries log says "connection failed", not the OS's "Connection refused".
    @Test func failuresAreLoggedGenerically() async throws {
        let policy = WebhookTargetPolicy(allowed: [AddressRange(parsing: "127.0.0.1/32")!], resolver: ScriptedResolver())
        try await TestQueues.with(.sqlite) { queues in
            // Port 9 (discard) on loopback: nothing listens there in the test environment.
            let subscription = try await queues.first.createWebhook(NewWebhook(url: "http://127.0.0.1:9/hook", secret: "whsec_0123456789abcdef"))
            try await queues.first.append([NewEvent(kind: "image.labelled", subject: "a", data: "{}")])
            let dispatcher = WebhookDispatcher(queue: queues.first, httpClient: TestWebhookClient.shared, targets: policy, timeout: .seconds(5))
            #expect(await dispatcher.deliverDue() == 0)
            let log = try await queues.first.deliveries(webhook: subscription.id, limit: 10)
            #expect(log.count == 1)
            #expect(["connection failed", "timeout"].contains(log.first?.error ?? ""), "\(log.first?.error ?? "nil")")
        }
    }
}
