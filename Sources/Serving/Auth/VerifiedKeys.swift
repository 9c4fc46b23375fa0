import Foundation
import Keys

/// The short-lived memory of verified tokens in front of the key store, and the brake on
/// guessing.
///
/// Only valid keys are remembered, in a bounded LRU: random well-formed tokens cannot flush the
/// keys of real clients, and a store error is never remembered at all (it is answered 503 and
/// the next request asks again). Failed lookups are counted per client (`ClientAddress`: the
/// address a trusted proxy forwarded for, IPv6 per /64) in a token bucket; a client that spends
/// it is answered 429 without a query, so guessing costs the database nothing, and only that
/// client is slowed.
///
/// Why the token is taken before the lookup and given back when the key is valid: an actor is
/// re-entered at every `await`, so checking the bucket, awaiting the store and only then
/// counting the failure let a burst of concurrent bad tokens from one client all pass the check
/// and all reach the database.
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
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let store: any APIKeyStore
    private let limits: Limits
    private let now: @Sendable () -> ContinuousClock.Instant
    private var remembered: LRU<String, Entry>
    private var failures: LRU<String, Bucket>
    /// Lookups under way, by token: requests that carry a token already being looked up share
    /// that lookup (and its verdict) instead of each taking a token of the client's bucket, so a
    /// burst of requests with a valid key not yet remembered is never answered 429.
    private var pending: [String: Task<Verdict, Never>] = [:]

    init(store: any APIKeyStore, limits: Limits = Limits(), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.store = store
        self.limits = limits
        self.now = now
        remembered = LRU(capacity: limits.capacity)
        failures = LRU(capacity: limits.clients)
    }

    func verify(_ token: String, client: String) async -> Verdict {
        let now = now()
        if let entry = remembered.value(for: token), entry.until > now {
            return .valid(entry.principal)
        }
        if let lookup = pending[token] { return await lookup.value }
        // Taken before the await, so concurrent requests cannot all pass the check.
        if let wait = take(client, now: now) { return .limited(retryAfter: wait) }
        let store = store
        let lookup = Task { await Self.lookUp(token, in: store) }
        pending[token] = lookup
        let verdict = await lookup.value
        pending[token] = nil
        switch verdict {
        case .valid(let principal):
            remembered.set(Entry(principal: principal, until: now + limits.ttl), for: token)
            giveBack(client)
        case .unavailable:
            // The store failed, not the client.
            giveBack(client)
        case .invalid, .limited:
            break
        }
        return verdict
    }

    private static func lookUp(_ token: String, in store: any APIKeyStore) async -> Verdict {
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

    /// Takes one failure token from `client`'s bucket; the seconds until one is there again when
    /// the bucket is empty (nothing is taken then).
    private func take(_ client: String, now: ContinuousClock.Instant) -> Int? {
        var bucket = failures.value(for: client).map { refilled($0, now: now) } ?? Bucket(tokens: Double(limits.failureBurst), updated: now)
        guard bucket.tokens >= 1 else {
            failures.set(bucket, for: client)
            let seconds = (1 - bucket.tokens) * Self.seconds(limits.failureRefill)
            return max(1, Int(seconds.rounded(.up)))
        }
        bucket.tokens -= 1
        failures.set(bucket, for: client)
        return nil
    }

    /// Returns the token a lookup took, when the lookup showed no guess.
    private func giveBack(_ client: String) {
        guard var bucket = failures.value(for: client) else { return }
        bucket.tokens = min(Double(limits.failureBurst), bucket.tokens + 1)
        failures.set(bucket, for: client)
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
