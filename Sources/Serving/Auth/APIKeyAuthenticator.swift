import Foundation
import HTTPTypes
import HummingbirdAuth
import Hummingbird
import Keys
import NIOCore

/// Resolves `Authorization: Bearer lsk_…` (or `X-API-Key`) to a `Principal`.
///
/// Verified keys are remembered for a few seconds, so the cache-hit path does not pay a database
/// round trip per request; a revocation therefore takes effect within `ttl` on every replica.
/// A request without a key passes through unauthenticated and the route decides (health checks
/// need none); a request with a bad key is refused here, so a typo never looks like "no key".
/// A key store that cannot answer is a 503, never a 401: a database blip must not look like
/// every client's key being wrong.
struct APIKeyAuthenticator<Context: AuthRequestContext<Principal> & RemoteAddressRequestContext>: AuthenticatorMiddleware {
    typealias Identity = Principal

    let keys: VerifiedKeys
    let insecureNoAuth: Bool
    let clients: ClientAddress

    func authenticate(request: Request, context: Context) async throws -> Principal? {
        if insecureNoAuth {
            if let refusal = LoopbackOrigin.refusal(host: request.head.authority, origin: request.headers[.origin]) { throw refusal }
            return .developer
        }
        guard let token = request.headers.bearer?.token ?? request.headers[.apiKey] else { return nil }
        let client = clients.key(peer: context.remoteAddress, forwardedFor: request.headers[.xForwardedFor])
        switch await keys.verify(token, client: client) {
        case .valid(let principal):
            return principal
        case .invalid:
            throw APIError(.unauthorized, code: "invalid_key", message: "the API key is unknown, malformed or revoked")
        case .limited(let retryAfter):
            throw APIError(.tooManyRequests, code: "too_many_failed_keys",
                           message: "too many requests with unknown keys from this address; retry later", retryAfter: retryAfter)
        case .unavailable(let reason):
            throw APIError.unavailable("key store", detail: reason)
        }
    }
}

extension HTTPField.Name {
    static let apiKey = Self("X-API-Key")!
    static let xForwardedFor = Self("X-Forwarded-For")!
}
