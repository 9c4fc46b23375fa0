import HTTPTypes
import Hummingbird
import Synchronization

/// The paths and methods the router serves, so a request for a known path with a method it
/// does not take is answered 405 with `Allow` (RFC 9110), not 404 as if the path did not exist.
final class RouteTable: Sendable {
    private struct Route {
        var segments: [Substring]
        var methods: Set<String>
    }

    private let routes = Mutex<[Route]>([])

    /// Records what `router` serves; call once every route is added.
    func load<Context>(_ router: Router<Context>) {
        var byPath: [String: Set<String>] = [:]
        for route in router.routes { byPath["\(route.path)", default: []].insert(route.method.rawValue) }
        // HEAD is answered wherever GET is.
        for (path, methods) in byPath where methods.contains("GET") { byPath[path]?.insert("HEAD") }
        routes.withLock { routes in
            routes = byPath.map { Route(segments: Self.segments($0.key), methods: $0.value) }
        }
    }

    /// The methods served at `path`, or nil when no route has that path. Where templates
    /// overlap (`/v1/review/claim` and `/v1/review/{id}`) the most literal one is the resource,
    /// as the router itself prefers it.
    func methods(at path: String) -> Set<String>? {
        let request = Self.segments(path)
        let matching = routes.withLock { routes in routes.filter { Self.matches($0.segments, request) } }
        guard let best = matching.map({ Self.literals($0.segments) }).max() else { return nil }
        return matching.filter { Self.literals($0.segments) == best }.reduce(into: Set<String>()) { $0.formUnion($1.methods) }
    }

    private static func literals(_ segments: [Substring]) -> Int {
        segments.filter { !($0 == "*" || $0 == "**" || $0.hasPrefix(":") || $0.hasPrefix("{")) }.count
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// A route segment matches literally, or any one segment when it is a capture (`:name`,
    /// `{name}`) or `*`; `**` matches the rest.
    private static func matches(_ route: [Substring], _ request: [Substring]) -> Bool {
        for (index, segment) in route.enumerated() {
            if segment == "**" { return true }
            guard index < request.count else { return false }
            let wildcard = segment == "*" || segment.hasPrefix(":") || (segment.hasPrefix("{") && segment.hasSuffix("}"))
            if !wildcard, segment != request[index] { return false }
        }
        return route.count == request.count
    }
}
