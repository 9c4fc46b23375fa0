import Foundation
import Hummingbird

/// The OpenAPI description and the web pages, bundled with the binary as resources.
struct DocumentRoutes: Sendable {
    func add(to router: Router<ServingContext>) {
        router.get("/openapi.yaml") { _, _ in try Self.resource("openapi.yaml", type: "application/yaml; charset=utf-8") }
        router.get("/") { _, _ in try Self.resource("index.html", type: "text/html; charset=utf-8") }
        router.get("/review") { _, _ in try Self.resource("review.html", type: "text/html; charset=utf-8") }
        // The pages' sign-in check: which key this is and what it may do.
        router.get("/v1/whoami") { _, context in
            guard let principal = context.identity else { throw APIError.unauthenticated }
            return try PredictionRoutes.json(WhoAmI(keyId: principal.keyID, name: principal.name, scopes: principal.scopes.map(\.rawValue).sorted()))
        }
        router.get("/static/:file") { _, context in
            let file = try context.parameters.require("file")
            guard let type = Self.types[(file as NSString).pathExtension], !file.contains("/"), !file.hasPrefix(".") else {
                throw APIError.notFound("no such file")
            }
            return try Self.resource(file, type: type)
        }
    }

    struct WhoAmI: Encodable {
        var keyId: String
        var name: String
        var scopes: [String]
    }

    static let types = ["js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8", "html": "text/html; charset=utf-8",
                        "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon"]

    static func resource(_ name: String, type: String) throws -> Response {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Web"),
              let data = try? Data(contentsOf: url)
        else { throw APIError.notFound("\(name) is not bundled with this build") }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
