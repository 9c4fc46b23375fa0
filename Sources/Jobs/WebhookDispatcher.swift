import AsyncHTTPClient
import Clocks
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Delivers the event feed to webhook subscriptions until cancelled.
///
/// Per subscription, events go out one at a time in offset order, each as a signed POST
/// (`WebhookSignature`); a 2xx moves the subscription's cursor past it, anything else logs the
/// attempt and backs off exponentially before that same event is tried again, so a receiver sees
/// every event, in order, at least once. Subscriptions are leased, so dispatchers in several API
/// replicas never deliver the same subscription concurrently. Run it in a task group or
/// ServiceGroup next to the HTTP server; it ends when its task is cancelled.
///
/// Each delivery re-vets the host (`WebhookTargetPolicy`): DNS that now answers an internal
/// address gets nothing. Plain-http deliveries connect to the vetted address itself (the URL's
/// host goes in the Host header), so a second lookup cannot swap it; redirects are never
/// followed; and the deliveries log keeps generic outcomes ("HTTP 500", "timeout", "connection
/// failed", "refused address"), so it cannot be used to scan ports.
public struct WebhookDispatcher: Sendable {
    public let queue: any JobQueue
    public let httpClient: HTTPClient
    public let targets: WebhookTargetPolicy
    public let owner: String
    /// How often due retries are looked for when no new event arrives.
    public var pollInterval: Duration
    /// Per request.
    public var timeout: Duration
    public var backoff: JobBackoff
    /// Events fetched per subscription per pass.
    public var pageSize: Int
    let logger: Logger

    /// How the dispatcher's HTTP client is set up: it follows no redirects, since a 3xx is the
    /// receiver's answer, not a hop to an address nobody vetted. `run(queue:...)` creates one
    /// with it for the dispatcher's lifetime.
    public static var httpConfiguration: HTTPClient.Configuration {
        HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: HTTPClient.Configuration.Timeout(),
                                 connectionPool: HTTPClient.Configuration.ConnectionPool())
    }

    /// `httpClient`, set up with `httpConfiguration`, stays the caller's to shut down.
    public init(queue: any JobQueue, httpClient: HTTPClient, targets: WebhookTargetPolicy = WebhookTargetPolicy(),
                owner: String = WorkerIdentity.make(),
                pollInterval: Duration = .seconds(1), timeout: Duration = .seconds(10), backoff: JobBackoff = JobBackoff(base: .seconds(1), cap: .seconds(600)),
                pageSize: Int = 100, logger: Logger = Logger(label: "lenscale.webhooks")) {
        self.queue = queue
        self.httpClient = httpClient
        self.targets = targets
        self.owner = owner
        self.pollInterval = pollInterval
        self.timeout = timeout
        self.backoff = backoff
        self.pageSize = max(1, pageSize)
        self.logger = logger
    }

    /// Runs a dispatcher over an HTTP client of its own, created for it and shut down when it
    /// stops (on cancellation): what `serve` runs as a service.
    public static func run(queue: any JobQueue, targets: WebhookTargetPolicy, logger: Logger = Logger(label: "lenscale.webhooks")) async {
        do {
            try await HTTPClient.withHTTPClient(configuration: httpConfiguration) { client in
                await WebhookDispatcher(queue: queue, httpClient: client, targets: targets, logger: logger).run()
            }
        } catch {
            logger.warning("webhook dispatcher: its HTTP client did not shut down cleanly: \(error)")
        }
    }

    public func run() async {
        var seen: Int64 = 0
        while !Task.isCancelled {
            do {
                await deliverDue()
                seen = try await queue.latestEventID()
                _ = try await queue.waitForEvents(after: seen, timeout: pollInterval)
            } catch {
                logger.warning("webhook dispatcher: \(error)")
                try? await Task.sleep(for: pollInterval)
            }
        }
    }

    /// One pass over the due subscriptions; returns the number of successful deliveries.
    @discardableResult
    public func deliverDue() async -> Int {
        let due: [(subscription: WebhookSubscription, secret: String)]
        do {
            due = try await queue.leaseDueWebhooks(owner: owner, lease: max(.seconds(60), timeout * pageSize))
        } catch {
            logger.warning("webhook dispatcher cannot read subscriptions: \(error)")
            return 0
        }
        return await withTaskGroup(of: Int.self) { group in
            for (subscription, secret) in due {
                group.addTask { await deliver(subscription, secret: secret) }
            }
            return await group.reduce(0, +)
        }
    }

    func deliver(_ subscription: WebhookSubscription, secret: String) async -> Int {
        var delivered = 0
        var failures = subscription.failures
        do {
            let events = try await queue.events(after: subscription.cursor, limit: pageSize)
            var skipped: Int64?
            for event in events {
                guard event.matches(subscription.kinds) else {
                    skipped = event.id
                    continue
                }
                let attempt = failures + 1
                let (status, error, milliseconds) = await post(event, to: subscription.url, secret: secret)
                let succeeded = status.map { (200..<300).contains($0) } ?? false
                try await queue.recordDelivery(
                    webhook: subscription.id, owner: owner, eventID: event.id, skippedThrough: skipped, attempt: attempt,
                    statusCode: status, error: succeeded ? nil : (error ?? "HTTP \(status ?? 0)"), succeeded: succeeded,
                    durationMilliseconds: milliseconds, retryAfter: backoff.delay(afterAttempt: attempt))
                skipped = nil
                guard succeeded else {
                    logger.info("webhook \(subscription.id) delivery of event \(event.id) failed (attempt \(attempt)): \(error ?? "HTTP \(status ?? 0)")")
                    return delivered
                }
                delivered += 1
                failures = 0
            }
            if let skipped {
                try await queue.recordDelivery(
                    webhook: subscription.id, owner: owner, eventID: nil, skippedThrough: skipped, attempt: 0,
                    statusCode: nil, error: nil, succeeded: true, durationMilliseconds: 0, retryAfter: .zero)
            }
            try await queue.releaseWebhook(id: subscription.id, owner: owner)
        } catch {
            logger.warning("webhook \(subscription.id): \(error)")
            try? await queue.releaseWebhook(id: subscription.id, owner: owner)
        }
        return delivered
    }

    /// POSTs one event; returns the status (nil when no response came), a generic error and
    /// the time taken. Nothing is sent to a host that does not pass the target policy now.
    func post(_ event: Event, to url: String, secret: String) async -> (status: Int?, error: String?, milliseconds: Int) {
        let body = event.json
        let vetted: WebhookTargetPolicy.Vetted
        do {
            vetted = try await targets.vet(url)
        } catch {
            logger.warning("webhook delivery to \(url) not sent: \(error)")
            if case .refused = error { return (nil, "refused address", 0) }
            return (nil, "unresolvable host", 0)
        }
        var request = HTTPClientRequest(url: Self.pinned(vetted))
        if vetted.url.scheme?.lowercased() == "http" {
            request.headers.add(name: "Host", value: vetted.url.port.map { "\(Self.hostHeader(vetted.host)):\($0)" } ?? Self.hostHeader(vetted.host))
        }
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Lenscale-Event-Id", value: String(event.id))
        request.headers.add(name: "Lenscale-Event-Kind", value: event.kind)
        request.headers.add(name: WebhookSignature.header,
                            value: WebhookSignature.sign(body: body, secret: secret, timestamp: Int(Date().timeIntervalSince1970)))
        request.body = .bytes(ByteBuffer(string: body))
        let started = ContinuousClock.now
        do {
            let response = try await httpClient.execute(request, timeout: .milliseconds(Int64(timeout.milliseconds)))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (Int(response.status.code), nil, Int((ContinuousClock.now - started).seconds * 1000))
        } catch {
            logger.info("webhook delivery to \(vetted.host) (\(vetted.address)) failed: \(error)")
            return (nil, Self.generic(error), Int((ContinuousClock.now - started).seconds * 1000))
        }
    }

    /// The URL to connect to: for http, the vetted address in place of the name (no second
    /// lookup). https keeps the name, which TLS verifies the certificate against; its lookup is
    /// the client's own, right after the vetting (a narrow window this cannot close without
    /// a resolver hook in the HTTP client).
    static func pinned(_ vetted: WebhookTargetPolicy.Vetted) -> String {
        guard vetted.url.scheme?.lowercased() == "http",
              var components = URLComponents(url: vetted.url, resolvingAgainstBaseURL: false) else { return vetted.url.absoluteString }
        components.percentEncodedHost = vetted.address.isV4 ? vetted.address.description : "[\(vetted.address)]"
        return components.string ?? vetted.url.absoluteString
    }

    static func hostHeader(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    /// What the deliveries log may say about a failure: never the OS's words, which tell
    /// "closed port" from "filtered" from "no route".
    static func generic(_ error: any Error) -> String {
        if let error = error as? HTTPClientError,
           [HTTPClientError.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
            return "timeout"
        }
        return "connection failed"
    }
}

/// Names a worker or dispatcher in leases: host, process and a random suffix, so a restarted
/// process never mistakes its predecessor's leases for its own.
public enum WorkerIdentity {
    public static func make() -> String {
        let host = ProcessInfo.processInfo.hostName
        let random = UUID().uuidString.lowercased().prefix(8)
        return "\(host):\(ProcessInfo.processInfo.processIdentifier):\(random)"
    }
}
