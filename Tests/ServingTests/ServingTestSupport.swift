import Catalog
import Composition
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ingest
import Keys
import NIOCore
import Serving
import Storage
import TestSupport

/// A server over a fresh data folder with EfficientNet-Lite0, and keys for each scope.
struct TestServer {
    let runtime: ServingRuntime
    let directory: URL
    /// A token per scope, plus "admin".
    let tokens: [Scope: String]

    static func configuration(data: URL, _ adjust: (inout ServeConfiguration) -> Void = { _ in }) -> ServeConfiguration {
        var configuration = ServeConfiguration()
        configuration.data = data.path
        configuration.models = [.init(name: "efficientnet-lite0", threads: 2)]
        configuration.models[0].batcher.maxQueueDelayMicroseconds = 5_000
        configuration.models[0].batcher.maxBatchSize = 8
        // The batcher's 10 s request limit is a wall-clock bound: on a machine the suite keeps
        // saturated a request can wait longer, and a test that does not test the limit must not
        // fail by it. Tests of the limit set their own.
        configuration.models[0].batcher.timeoutMilliseconds = 600_000
        configuration.listen.port = 0
        adjust(&configuration)
        return configuration
    }

    /// Opens a runtime (and keys) over `directory`, a new temporary folder by default, on the
    /// embedded catalog and a store folder (`adjust` may move the store, not the catalog).
    /// SQLite has no pool to run, so this needs no scope; `with(_:_:_:)` runs either backend.
    static func open(directory: URL? = nil, clock: any Clock<Duration> = ContinuousClock(),
                     _ adjust: (inout ServeConfiguration) -> Void = { _ in }) async throws -> TestServer {
        let directory = try directory ?? TestPaths.temporaryDirectory()
        let configuration = configuration(data: directory, adjust)
        let location = configuration.workspaceLocation
        guard case .sqlite(let sqlite) = try CatalogLocation(parsing: location.catalogLocation) else {
            throw TestFailure("TestServer.open runs on SQLite only; use TestServer.with(.postgres) for PostgreSQL")
        }
        try FileManager.default.createDirectory(at: location.indexDirectory, withIntermediateDirectories: true)
        let catalog = try SQLiteCatalog(configuration: sqlite)
        try await catalog.migrate()
        let workspace = Workspace(location: location, store: try ObjectStoreLocation(parsing: location.storeLocation).makeStore(httpClient: TestHTTP.s3), catalog: catalog)
        return try await start(configuration, workspace: workspace, directory: directory, clock: clock)
    }

    /// The runtime over an open workspace, with a key for each scope.
    static func start(_ configuration: ServeConfiguration, workspace: Workspace, directory: URL,
                      clock: any Clock<Duration> = ContinuousClock()) async throws -> TestServer {
        let runtime = try await ServingRuntime.open(configuration, workspace: workspace, manifest: Classifiers.manifest,
                                                    inference: Classifiers.inference, clock: clock)
        var tokens: [Scope: String] = [:]
        for scope in Scope.allCases {
            let (key, token) = try APIKey.generate(name: "test-\(scope.rawValue)", scopes: [scope])
            try await runtime.keys.insert(key)
            tokens[scope] = token
        }
        return TestServer(runtime: runtime, directory: directory, tokens: tokens)
    }

    /// Runs `body` with a server whose catalog is on `backend`, closed (and its data removed)
    /// afterwards, also when `body` throws.
    static func with<T>(_ backend: TestBackend, _ adjust: @escaping (inout ServeConfiguration) -> Void = { _ in },
                        _ body: (TestServer) async throws -> T) async throws -> T {
        try await backend.withCatalogLocation("serving") { location in
            let directory = try TestPaths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let configuration = configuration(data: directory) { configuration in
                if backend == .postgres { configuration.catalog = location }
                adjust(&configuration)
            }
            return try await Workspace.with(configuration.workspaceLocation) { workspace in
                let server = try await start(configuration, workspace: workspace, directory: directory)
                do {
                    let result = try await body(server)
                    await server.runtime.close()
                    return result
                } catch {
                    await server.runtime.close()
                    throw error
                }
            }
        }
    }

    func application(extraRoutes: [LenscaleServer.RouteGroup] = []) -> some ApplicationProtocol {
        LenscaleServer.application(runtime, extraRoutes: extraRoutes)
    }

    /// The application with the batch and event routes, the webhook dispatcher and, unless the
    /// configuration turns it off, the in-process worker: what `lenscale serve` runs.
    func applicationWithJobs() async throws -> some ApplicationProtocol {
        try await graph().application()
    }

    /// What `serve` builds over this runtime, without moderation.
    func graph() async throws -> ServerGraph {
        try await ServerGraph.build(runtime: runtime, manifest: Classifiers.manifest, inference: Classifiers.inference, policyFile: nil)
    }

    /// Closes what `open` opened: the runtime, then the embedded catalog.
    func close(removing: Bool = true) async {
        await runtime.close()
        try? await runtime.workspace.catalog.close()
        if removing { try? FileManager.default.removeItem(at: directory) }
    }

    func headers(_ scope: Scope?, contentType: String = "image/jpeg") -> HTTPFields {
        var fields: HTTPFields = [.contentType: contentType]
        if let scope, let token = tokens[scope] { fields[.authorization] = "Bearer \(token)" }
        return fields
    }
}

extension TestClientProtocol {
    /// Polls /readyz until the warm-up is done (it runs as a service when the app starts).
    func waitUntilReady() async throws {
        for _ in 0..<600 {
            let status = try await execute(uri: "/readyz", method: .get) { $0.status }
            if status == .ok { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("the server never became ready")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The `{"error": {"code", "message"}}` body every error answer has.
struct ErrorBody: Decodable {
    struct Inner: Decodable {
        var code: String
        var message: String
    }
    var error: Inner

    static func decode(_ response: TestResponse) throws -> ErrorBody {
        try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
    }
}

/// The answer of /v1/classify as tests read it.
struct ClassifyBody: Decodable {
    struct Label: Decodable {
        var index: Int
        var name: String
        var score: Float
    }
    var sha256: String
    var model: String
    var model_version: String
    var labels: [Label]
    var cache: String
    var embedding: [Float]?

    static func decode(_ response: TestResponse) throws -> ClassifyBody {
        try JSONDecoder().decode(ClassifyBody.self, from: Data(buffer: response.body))
    }
}

func photoBytes(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: TestPaths.sharedImage(name)))
}

/// The first `count` labelled photos (real JPEGs from ../shared/images).
func photos(_ count: Int) throws -> [LabelledPhoto] { try Array(LabelledPhotos.all.prefix(count)) }

