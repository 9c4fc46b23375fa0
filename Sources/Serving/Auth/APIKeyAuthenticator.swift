import Foundation
import HTTPTypes
import HummingbirdAuth
import Hummingbird

/// Resolves `Authorization: Bearer lsk_…` (or `X-API-Key`) to a `Principal`.
///
/// Verified keys are remembered for a few seconds, so the cache-hit path does not pay a database
/// round trip per request; a revocation therefore takes effect within `ttl` on every replica.
/// A request without a key passes through unauthenticated and the route decides (health checks
/// need none); a request with a bad key is refused here, so a typo never looks like "no key".
struct APIKeyAuthenticator<Context: AuthRequestContext<Principal>>: AuthenticatorMiddleware {
    typealias Identity = Principal

    let keys: VerifiedKeys
    let insecureNoAuth: Bool

    func authenticate(request: Request, context: Context) async throws -> Principal? {
        if insecureNoAuth { return .developer }
        guard let token = request.headers.bearer?.token ?? request.headers[.apiKey] else { return nil }
        guard let principal = await keys.principal(for: token) else {
            throw APIError(.unauthorized, code: "invalid_key", message: "the API key is unknown, malformed or revoked")
        }
        return principal
    }
}

extension HTTPField.Name {
    static let apiKey = Self("X-API-Key")!
}

/// The short-lived memory of verified tokens in front of the key store.
actor VerifiedKeys {
    private let store: any APIKeyStore
    private let ttl: Duration
    private var remembered: [String: (principal: Principal?, until: ContinuousClock.Instant)] = [:]

    init(store: any APIKeyStore, ttl: Duration = .seconds(5)) {
        self.store = store
        self.ttl = ttl
    }

    func principal(for token: String) async -> Principal? {
        let now = ContinuousClock.now
        if let entry = remembered[token], entry.until > now { return entry.principal }
        let principal = await lookUp(token)
        if remembered.count > 10_000 { remembered.removeAll(keepingCapacity: true) }
        remembered[token] = (principal, now + ttl)
        return principal
    }

    private func lookUp(_ token: String) async -> Principal? {
        guard let (id, secret) = try? APIKey.parse(token: token),
              let key = try? await store.key(id: id),
              key.revokedAt == nil, key.matches(secret: secret)
        else { return nil }
        return Principal(keyID: key.id, name: key.name, scopes: key.scopes)
    }
}
