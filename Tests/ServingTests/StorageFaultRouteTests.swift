import Catalog
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Serving
import Storage
import Testing
import TestSupport

/// `lenscale serve` over an S3 store that goes away and comes back (the shared S3 test server
/// behind a `FaultProxy`): `/readyz` follows the outage, uploads during it fail cleanly with 503
/// and leave nothing half-done, and service resumes by itself.
@Suite("S3 outages: readiness, clean 503s, no partial objects", .serialized)
struct StorageFaultRouteTests {
    /// A server whose store is a fresh prefix of the shared bucket, reached through `proxy`,
    /// with short store deadlines and a 100 ms readiness probe.
    static func open(proxy: FaultProxy, prefix: String, probeInterval: Duration = .milliseconds(100)) async throws -> TestServer {
        let moto = try await S3TestServer.shared.endpoint()
        // The store reads its credentials from the environment, as `lenscale serve` does. Every
        // test in this process uses the same moto key, so setting it here disturbs nothing.
        setenv("AWS_ACCESS_KEY_ID", moto.accessKeyID, 1)
        setenv("AWS_SECRET_ACCESS_KEY", moto.secretAccessKey, 1)
        return try await TestServer.open { configuration in
            // A silent store gives up within its own 4 s deadline; the probe's much longer one
            // only catches a hang, so a starved machine cannot make the healthy catalog miss it.
            configuration.store = "s3://\(moto.bucket)/\(prefix)?endpoint=\(proxy.endpoint.absoluteString)&timeout=2&deadline=4&attempts=3"
            configuration.readiness.probeInterval = probeInterval
            configuration.readiness.probeTimeout = .seconds(60)
        }
    }

    /// The same prefix on moto directly, bypassing the proxy: what is really in the bucket.
    static func directStore(prefix: String) async throws -> S3Store {
        let moto = try await S3TestServer.shared.endpoint()
        return S3Store(configuration: try S3Configuration(
            bucket: moto.bucket, keyPrefix: prefix, endpoint: moto.url,
            credentials: S3Credentials(accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey)), httpClient: TestHTTP.s3)
    }

    static func readyz(_ client: some TestClientProtocol, until wanted: HTTPResponse.Status) async throws -> TestResponse {
        var last: TestResponse?
        do {
            try await poll("/readyz to answer \(wanted)", within: .seconds(120), every: .milliseconds(25)) {
                let answer = try await client.execute(uri: "/readyz", method: .get)
                last = answer
                return answer.status == wanted
            }
        } catch let timeout as TestTimeout {
            throw TestFailure("\(timeout); last: \(last.map { "\($0.status) \(String(buffer: $0.body))" } ?? "none")")
        }
        return last!
    }

    @Test("/readyz turns 503 with the reason while the store is down or silent, and 200 again when it is back")
    func readinessFollowsTheStore() async throws {
        let moto = try await S3TestServer.shared.endpoint()
        let proxy = try FaultProxy(upstreamPort: moto.port)
        let server = try await Self.open(proxy: proxy, prefix: "faults-ready-\(UUID().uuidString)")
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            for fault in [FaultProxy.Mode.down, .silent] {
                try proxy.set(fault)
                let down = try await Self.readyz(client, until: .serviceUnavailable)
                #expect(down.headers[.retryAfter] != nil)
                let body = try ErrorBody.decode(down)
                #expect(body.error.code == "not_ready")
                #expect(body.error.message.contains("store"), "\(body.error.message)")
                #expect(!body.error.message.contains("catalog"), "the catalog is fine: \(body.error.message)")
                // `/readyz` needs no key: it names what is down, never the endpoint or its error.
                #expect(!body.error.message.contains("127.0.0.1") && !body.error.message.contains("\(proxy.port)"),
                        "\(body.error.message)")
                try proxy.set(.forwarding)
                let back = try await Self.readyz(client, until: .ok)
                #expect(String(buffer: back.body) == "ready\n")
            }
        }
        await server.close()
    }

    @Test("the store going down mid-batch: 503 with Retry-After, only whole objects, nothing enqueued; the retry completes")
    func outageMidBatch() async throws {
        let moto = try await S3TestServer.shared.endpoint()
        let proxy = try FaultProxy(upstreamPort: moto.port)
        let prefix = "faults-batch-\(UUID().uuidString)"
        // The probe runs once, at start: its HEADs must not use up the requests the cut counts.
        let server = try await Self.open(proxy: proxy, prefix: prefix, probeInterval: .seconds(3600))
        let direct = try await Self.directStore(prefix: prefix)
        let app = try await server.applicationWithJobs()
        let photos = try LabelledPhotos.all
        try #require(photos.count >= 20, "the shared photos are missing")
        let files = try photos.map { ($0.file, Array(try Data(contentsOf: $0.url))) }
        let body = JobRouteTests.multipart(files)
        let headers = server.headers(.ingest, contentType: "multipart/form-data; boundary=lenscale-batch")
        try await app.test(.router) { client in
            try await client.waitUntilReady()
            // The store goes down at an exact point: after three of the batch's objects were
            // written, however fast or slow the machine is.
            proxy.goDown(afterRequests: 3, method: "PUT")
            let refused = try await client.execute(uri: "/v1/batches", method: .post, headers: headers, body: body)
            #expect(refused.status == .serviceUnavailable, "\(String(buffer: refused.body))")
            #expect(refused.headers[.retryAfter] != nil)
            let error = try ErrorBody.decode(refused)
            #expect(error.error.code == "storage_unavailable", "\(error.error.message)")

            // No partial objects: everything in the bucket is whole, under its own hash.
            let landed = try await direct.list(prefix: "", limit: 1000).objects
            #expect(!landed.isEmpty && landed.count < files.count, "the outage did not land mid-batch: \(landed.count) objects")
            for object in landed {
                #expect(ObjectKey.contentKey(for: try await direct.get(object.key)) == object.key)
            }
            // Nothing was enqueued, so no catalog row and no batch exist.
            #expect(try await server.runtime.workspace.catalog.imageCount() == 0)
            let events = try await client.execute(uri: "/v1/events?after=0&limit=1000", method: .get, headers: server.headers(.read))
            #expect(!String(buffer: events.body).contains("batch."), "\(String(buffer: events.body))")

            // The store comes back: readiness follows, and the same batch, resent, completes.
            try proxy.set(.forwarding)
            _ = try await Self.readyz(client, until: .ok)
            // On 503, retry (a slow, loaded moto can still time out one request right after the
            // outage); soon rather than after Retry-After, which is for clients that cannot tell.
            var accepted = try await client.execute(uri: "/v1/batches", method: .post, headers: headers, body: body)
            for _ in 0..<30 where accepted.status == .serviceUnavailable {
                try await Task.sleep(for: .milliseconds(100))
                accepted = try await client.execute(uri: "/v1/batches", method: .post, headers: headers, body: body)
            }
            try #require(accepted.status == .accepted, "\(String(buffer: accepted.body))")
            let receipt = try JSONDecoder().decode(JobRouteTests.BatchBody.self, from: Data(buffer: accepted.body))
            let done = try await JobRouteTests.pollBatch(client, id: receipt.id, headers: server.headers(.read))
            #expect(done.items.allSatisfy { $0.state == "done" }, "\(done.items.map { "\($0.name) \($0.state) \($0.error ?? "")" })")

            // Every catalog row has its bytes, and every object is whole.
            let keys = Set(try await direct.list(prefix: "", limit: 1000).objects.map(\.key))
            let rows = try await server.runtime.workspace.catalog.phashes(afterID: 0, limit: 1000).map(\.sha256)
            #expect(rows.count == Set(files.map { ObjectKey.contentKey(for: $0.1) }).count)
            #expect(Set(rows).isSubset(of: keys), "catalog rows without objects: \(Set(rows).subtracting(keys))")
            for key in keys {
                #expect(ObjectKey.contentKey(for: try await direct.get(key)) == key)
            }
        }
        await server.close()
    }
}

/// The error answers of store faults, as the routes give them.
@Suite("storage errors over HTTP")
struct StorageErrorAnswerTests {
    @Test("a full disk is 507 and an unreachable store is 503, both with Retry-After and the JSON body")
    func mapping() async throws {
        let router = Router()
        router.get("/full") { _, _ -> Response in
            throw APIError.storage(StorageError.storageFull(path: "/data/objects", operation: "write"))
        }
        router.get("/down") { _, _ -> Response in
            throw APIError.storage(StorageError.transport(operation: "PUT k", message: "connection refused"))
        }
        router.get("/bug") { _, _ -> Response in
            throw APIError.storage(StorageError.invalidKey(key: "../x", reason: "dot segment"))
        }
        try await Application(router: router).test(.router) { client in
            let full = try await client.execute(uri: "/full", method: .get)
            #expect(full.status.code == 507)
            #expect(full.headers[.retryAfter] != nil)
            #expect(try ErrorBody.decode(full).error.code == "storage_full")
            let down = try await client.execute(uri: "/down", method: .get)
            #expect(down.status == .serviceUnavailable)
            #expect(down.headers[.retryAfter] != nil)
            #expect(try ErrorBody.decode(down).error.code == "storage_unavailable")
            let bug = try await client.execute(uri: "/bug", method: .get)
            #expect(bug.status == .internalServerError)
            #expect(bug.headers[.retryAfter] == nil)
        }
    }
}

/// `POST /v1/batches` with the store on a small tmpfs that fills up part way through.
@Suite("a full disk under serve", .serialized)
struct DiskFullRouteTests {
    static func run(_ tool: String, _ arguments: [String]) async throws -> Int32 {
        try await runProcess(URL(fileURLWithPath: tool), arguments, limit: .seconds(60)).status
    }

    /// A fresh folder with a tmpfs of `size` (as mount(8) writes it) mounted on it.
    static func mountTmpfs(size: String) async throws -> URL {
        let mountPoint = try TestPaths.temporaryDirectory()
        try #require(try await run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", mountPoint.path]) == 0, "mount -t tmpfs failed")
        return mountPoint
    }

    /// Unmounts with the system call (a `defer` cannot await a process) and removes the folder.
    static func unmount(_ mountPoint: URL) {
        _ = umount(mountPoint.path)
        try? FileManager.default.removeItem(at: mountPoint)
    }

    @Test("a batch that fills the disk is 507 with Retry-After and leaves no partial file; after freeing space it is accepted",
          .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func diskFullBatch() async throws {
        let mountPoint = try await Self.mountTmpfs(size: "8m")
        defer { Self.unmount(mountPoint) }
        let objects = mountPoint.appendingPathComponent("objects")
        let server = try await TestServer.open { $0.store = objects.path }
        let app = try await server.applicationWithJobs()
        // All the shared photos together (13 MB) do not fit in 8 MiB.
        let files = try LabelledPhotos.all.map { ($0.file, Array(try Data(contentsOf: $0.url))) }
        let headers = server.headers(.ingest, contentType: "multipart/form-data; boundary=lenscale-batch")
        try await app.test(.router) { client in
            try await client.waitUntilReady()
            let full = try await client.execute(uri: "/v1/batches", method: .post, headers: headers, body: JobRouteTests.multipart(files))
            #expect(full.status.code == 507, "\(full.status) \(String(buffer: full.body))")
            #expect(full.headers[.retryAfter] != nil)
            #expect(try ErrorBody.decode(full).error.code == "storage_full")
            let leftovers = (FileManager.default.subpaths(atPath: objects.path) ?? []).filter { $0.contains(".lenscale-partial-") }
            #expect(leftovers.isEmpty, "partial files left: \(leftovers)")
            #expect(try await server.runtime.workspace.catalog.imageCount() == 0)

            // Free the space (the refused batch's objects are referenced by nothing) and send a
            // batch that fits: it is accepted and completes.
            try FileManager.default.removeItem(at: objects)
            let small = Array(files.prefix(3))
            let accepted = try await client.execute(uri: "/v1/batches", method: .post, headers: headers, body: JobRouteTests.multipart(small))
            #expect(accepted.status == .accepted, "\(String(buffer: accepted.body))")
            let receipt = try JSONDecoder().decode(JobRouteTests.BatchBody.self, from: Data(buffer: accepted.body))
            let done = try await JobRouteTests.pollBatch(client, id: receipt.id, headers: server.headers(.read))
            #expect(done.items.allSatisfy { $0.state == "done" })
        }
        await server.close()
    }

    @Test("the SQLite catalog on a full disk: a miss is still answered, a batch is 507 storage_full, and after freeing space it goes through",
          .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func catalogOnAFullDisk() async throws {
        let mountPoint = try await Self.mountTmpfs(size: "16m")
        defer { Self.unmount(mountPoint) }
        let objects = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: objects) }
        // The catalog (and the indexes) on the small disk, the objects on the big one.
        let server = try await TestServer.open(directory: mountPoint.appendingPathComponent("data")) { $0.store = objects.path }
        let app = try await server.applicationWithJobs()
        let photos = try LabelledPhotos.all
        try #require(photos.count >= 4)
        let headers = server.headers(.ingest, contentType: "multipart/form-data; boundary=lenscale-batch")
        try await app.test(.router) { client in
            try await client.waitUntilReady()
            // Fill the disk to the last byte.
            let filler = mountPoint.appendingPathComponent("filler")
            FileManager.default.createFile(atPath: filler.path, contents: nil)
            let handle = try FileHandle(forWritingTo: filler)
            let block = Data(count: 64 * 1024)
            while (try? handle.write(contentsOf: block)) != nil {}
            try? handle.close()

            let miss = try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.classify),
                                                body: ByteBuffer(bytes: try bytes(of: photos[0].url)))
            #expect(miss.status == .ok, "a miss needs no catalog write before its answer: \(miss.status)")
            let files = try photos[1...2].map { ($0.file, try bytes(of: $0.url)) }
            let full = try await client.execute(uri: "/v1/batches", method: .post, headers: headers, body: JobRouteTests.multipart(files))
            #expect(full.status.code == 507, "\(full.status) \(String(buffer: full.body))")
            #expect(full.headers[.retryAfter] != nil)
            #expect(try ErrorBody.decode(full).error.code == "storage_full")
            #expect(try await client.execute(uri: "/healthz", method: .get) { $0.status } == .ok)

            try FileManager.default.removeItem(at: filler)
            let accepted = try await client.execute(uri: "/v1/batches", method: .post, headers: headers, body: JobRouteTests.multipart(files))
            #expect(accepted.status == .accepted, "\(String(buffer: accepted.body))")
            let receipt = try JSONDecoder().decode(JobRouteTests.BatchBody.self, from: Data(buffer: accepted.body))
            let done = try await JobRouteTests.pollBatch(client, id: receipt.id, headers: server.headers(.read))
            #expect(done.items.allSatisfy { $0.state == "done" })
        }
        await server.close(removing: false)
    }
}
