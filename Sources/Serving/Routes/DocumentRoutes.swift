import Foundation
import Hummingbird

/// The OpenAPI description and the web pages, bundled with the binary as resources.
struct DocumentRoutes: Sendable {
    func add(to router: Router<ServingContext>) {
        router.get("/openapi.yaml") { _, _ in try Self.resource("openapi.yaml", type: "application/yaml; charset=utf-8") }
        router.get("/") { _, _ in try Self.resource("index.html", type: "text/html; charset=utf-8") }
        router.get("/static/:file") { _, context in
            let file = try context.parameters.require("file")
            guard let type = Self.types[(file as NSString).pathExtension], !file.contains("/"), !file.hasPrefix(".") else {
                throw APIError.notFound("no such file")
            }
            return try Self.resource(file, type: type)
        }
    }

    static let types = ["js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8", "html": "text/html; charset=utf-8",
                        "svg": "image/svg+xml", "png": "image/png"]

    static func resource(_ name: String, type: String) throws -> Response {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Web"),
              let data = try? Data(contentsOf: url)
        else { throw APIError.notFound("\(name) is not bundled with this build") }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
