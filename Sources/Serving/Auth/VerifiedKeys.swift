import Foundation

/// The short-lived memory of verified tokens in front of the key store, and the brake on
/// guessing.
///
/// Only valid keys are remembered, in a bounded LRU: random well-formed tokens cannot flush the
/// keys of real clients, and a store error is never remembered at all (it is answered 503 and
/// the next request asks again). Failed lookups are counted per client address in a token
/// bucket; a client that spends it is answered 429 without a query, so guessing costs the
/// database nothing.
actor VerifiedKeys {
    enum Verdict: Equatable {
        case valid(Principal)
        case invalid
        /// Too many failures from this client; retry after this many seconds.
        case limited(retryAfter: Int)
        /// The store failed (the reason is for the log, not the client).
        case unavailable(String)
    }

    struct Limits: Sendable {
        /// Verified keys remembered.
        var capacity = 10_000
        /// How long a verified key is trusted without asking the store.
        var ttl: Duration = .seconds(5)
        /// Failures a client may make in a burst...
        var failureBurst = 20
        /// ...and how often one more is allowed after that.
        var failureRefill: Duration = .seconds(1)
        /// Client addresses tracked; beyond this the oldest are forgotten.
        var clients = 10_000
    }

    private struct Entry {
        var principal: Principal
        var until: ContinuousClock.Instant
        var used: UInt64
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let store: any APIKeyStore
    private let limits: Limits
    private let now: @Sendable () -> ContinuousClock.Instant
    private var remembered: [String: Entry] = [:]
    private var failures: [String: Bucket] = [:]
    private var tick: UInt64 = 0

    init(store: any APIKeyStore, limits: Limits = Limits(), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.store = store
        self.limits = limits
        self.now = now
    }

    func verify(_ token: String, client: String) async -> Verdict {
        let now = now()
        tick &+= 1
        if var entry = remembered[token], entry.until > now {
            entry.used = tick
            remembered[token] = entry
            return .valid(entry.principal)
        }
        if let wait = blocked(client, now: now) { return .limited(retryAfter: wait) }
        let verdict = await lookUp(token)
        switch verdict {
        case .valid(let principal):
            remember(token, principal, until: now + limits.ttl)
        case .invalid:
            recordFailure(client, now: now)
        case .limited, .unavailable:
            break
        }
        return verdict
    }

    private func lookUp(_ token: String) async -> Verdict {
        guard let (id, secret) = try? APIKey.parse(token: token) else { return .invalid }
        let key: APIKey?
        do {
            key = try await store.key(id: id)
        } catch {
            return .unavailable(error.description)
        }
        guard let key, key.revokedAt == nil, key.matches(secret: secret) else { return .invalid }
        return .valid(Principal(keyID: key.id, name: key.name, scopes: key.scopes))
    }

    private func remember(_ token: String, _ principal: Principal, until: ContinuousClock.Instant) {
        remembered.removeValue(forKey: token)
        if remembered.count >= limits.capacity {
            // Linear, but only a new *valid* key pays it, and those are few.
            if let oldest = remembered.min(by: { $0.value.used < $1.value.used })?.key { remembered.removeValue(forKey: oldest) }
        }
        remembered[token] = Entry(principal: principal, until: until, used: tick)
    }

    /// Seconds until the client may try again, or nil when it may now.
    private func blocked(_ client: String, now: ContinuousClock.Instant) -> Int? {
        guard let bucket = failures[client].map({ refilled($0, now: now) }), bucket.tokens < 1 else { return nil }
        let seconds = (1 - bucket.tokens) * Self.seconds(limits.failureRefill)
        return max(1, Int(seconds.rounded(.up)))
    }

    private func recordFailure(_ client: String, now: ContinuousClock.Instant) {
        var bucket = failures[client].map { refilled($0, now: now) } ?? Bucket(tokens: Double(limits.failureBurst), updated: now)
        bucket.tokens -= 1
        if failures[client] == nil, failures.count >= limits.clients {
            if let oldest = failures.min(by: { $0.value.updated < $1.value.updated })?.key { failures.removeValue(forKey: oldest) }
        }
        failures[client] = bucket
    }

    private func refilled(_ bucket: Bucket, now: ContinuousClock.Instant) -> Bucket {
        let elapsed = Self.seconds(now - bucket.updated)
        let gained = elapsed / Self.seconds(limits.failureRefill)
        return Bucket(tokens: min(Double(limits.failureBurst), bucket.tokens + max(0, gained)), updated: now)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
