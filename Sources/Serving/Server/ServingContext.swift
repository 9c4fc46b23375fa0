import Hummingbird
import HummingbirdAuth
import Keys
import NIOCore

/// The request context of every route: the caller's identity once authenticated, and its
/// address (failed key lookups are rate-limited per address).
public struct ServingContext: AuthRequestContext, RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Principal?
    public let remoteAddress: SocketAddress?
    /// The body bytes this request holds in the server's budget (set by `BodyBudgetMiddleware`).
    var body: BodyReservation?
    /// The connection, for the interim `100 Continue` (see `BodyReservation`).
    let channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
        body = nil
    }

    /// Uploads are size-checked by the routes themselves against the configured limit.
    public var maxUploadSize: Int { 64 * 1024 * 1024 }

    /// The caller, who must hold `scope`; 401 without a key, 403 without the scope.
    @discardableResult
    func require(_ scope: Scope) throws(APIError) -> Principal {
        guard let identity else { throw .unauthenticated }
        guard identity.scopes.allows(scope) else { throw .forbidden(scope: scope.rawValue) }
        return identity
    }
}
