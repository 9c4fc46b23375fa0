import Catalog
import Foundation
import Storage
import Testing
import TestSupport

/// Sources that need a server or a database: an S3 prefix (moto) and the catalog upsert.
@Suite(.serialized)
struct SourceTests {
    @Test func labelsEveryObjectUnderAnS3Prefix() async throws {
        let server = try await S3TestServer.shared.endpoint()
        let prefix = "batch-\(UUID().uuidString.prefix(8))"
        let environment = ["AWS_ACCESS_KEY_ID": server.accessKeyID, "AWS_SECRET_ACCESS_KEY": server.secretAccessKey]
        let location = "s3://\(server.bucket)/\(prefix)?endpoint=\(server.url.absoluteString)&style=path"
        let store = try ObjectStoreLocation(parsing: location, environment: environment).makeStore(httpClient: TestHTTP.s3)
        let photos = try LabelledPhotos.all.prefix(3)
        for photo in photos { _ = try await store.put(try bytes(of: photo.url), key: "photos/\(photo.file)") }
        _ = try await store.put(BadInputs.text, key: "photos/readme.jpg")
        // Another prefix of the same bucket is not part of the source.
        let neighbour = try ObjectStoreLocation(parsing: "s3://\(server.bucket)/\(prefix)-other?endpoint=\(server.url.absoluteString)&style=path", environment: environment).makeStore(httpClient: TestHTTP.s3)
        _ = try await neighbour.put(try bytes(of: photos.first!.url), key: "x.jpg")

        let out = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try await CLI.run(["batch", location, "--out", out.path], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let output = BatchOutputFolder(directory: out)
        #expect(try output.records.map(\.path) == photos.map { "photos/\($0.file)" }.sorted())
        #expect(try output.failures.map(\.path) == ["photos/readme.jpg"])
        #expect(try await output.numpyShape().rows == 3)

        // A manifest of keys reads them from --store.
        let manifest = out.appendingPathComponent("keys.txt")
        try "photos/\(photos.first!.file)\nphotos/missing.jpg\n".write(to: manifest, atomically: true, encoding: .utf8)
        let keys = try await CLI.run(["batch", manifest.path, "--store", location, "--out", out.appendingPathComponent("keys").path], environment: environment)
        #expect(keys.status == 0, "\(keys.stderr)")
        let fromKeys = BatchOutputFolder(directory: out.appendingPathComponent("keys"))
        #expect(try fromKeys.records.map(\.path) == ["photos/\(photos.first!.file)"])
        #expect(try fromKeys.failures.map(\.error) == ["not_found"])
    }

    /// `lenscale batch` over an S3 prefix whose store goes away part way through: the items it
    /// could not read are not failures of theirs, so they are neither listed in failures.jsonl
    /// nor checkpointed; the run says so and exits 1, and the same command, rerun once the store
    /// is back, labels exactly those, so every object ends up labelled once.
    @Test func batchThroughAnS3Outage() async throws {
        let server = try await S3TestServer.shared.endpoint()
        let prefix = "batch-faults-\(UUID().uuidString.prefix(8))"
        let environment = ["AWS_ACCESS_KEY_ID": server.accessKeyID, "AWS_SECRET_ACCESS_KEY": server.secretAccessKey]
        let direct = try ObjectStoreLocation(parsing: "s3://\(server.bucket)/\(prefix)?endpoint=\(server.url.absoluteString)&style=path", environment: environment).makeStore(httpClient: TestHTTP.s3)
        let photos = try Array(LabelledPhotos.all.prefix(12))
        for photo in photos { _ = try await direct.put(try bytes(of: photo.url), key: "photos/\(photo.file)") }
        let proxy = try FaultProxy(upstreamPort: server.port)
        let location = "s3://\(server.bucket)/\(prefix)?endpoint=\(proxy.endpoint.absoluteString)&style=path&timeout=5&deadline=10&attempts=2"
        let out = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let arguments = ["batch", location, "--out", out.path, "--decode-workers", "1"]

        // The listing and about four objects get through, then the store goes away.
        proxy.goDown(afterRequests: 5, method: "GET")
        let first = try await CLI.run(arguments, environment: environment)
        #expect(!first.crashed)
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stderr.contains("rerun the same command"), "\(first.stderr)")
        let output = BatchOutputFolder(directory: out)
        let labelled = try output.records.map(\.path)
        #expect(!labelled.isEmpty && labelled.count < photos.count, "\(labelled)")
        let failures = try output.failures.map(\.path)
        #expect(failures.isEmpty, "an outage is not the files' fault: \(failures)")

        try proxy.set(.forwarding)
        let second = try await CLI.run(arguments, environment: environment)
        #expect(second.status == 0, "\(second.stderr)")
        let all = try output.records.map(\.path)
        #expect(all.sorted() == photos.map { "photos/\($0.file)" }.sorted(), "every object labelled exactly once")
        #expect(try await output.numpyShape().rows == photos.count)
        #expect(try output.failures.isEmpty)
    }

    @Test func upsertsIntoTheCatalog() async throws {
        let folder = try PhotoFolder.make(photos: 3, duplicate: true, bad: false)
        defer { folder.remove() }
        let base = folder.directory.deletingLastPathComponent()
        let catalogPath = base.appendingPathComponent("catalog.sqlite").path
        let result = try await CLI.run(["batch", folder.directory.path, "--out", base.appendingPathComponent("out").path, "--catalog", catalogPath])
        #expect(result.status == 0, "\(result.stderr)")
        let records = try BatchOutputFolder(directory: base.appendingPathComponent("out")).records
        try await withCatalog(try CatalogLocation(parsing: catalogPath)) { catalog in
            #expect(try await catalog.imageCount() == 3)
            for record in records {
                let image = try #require(try await catalog.image(sha256: record.sha256))
                #expect(image.width > 0 && image.height > 0 && image.phash != 0)
                let prediction = try #require(try await catalog.prediction(sha256: record.sha256, model: record.model, modelVersion: record.model_version))
                #expect(prediction.labels.map(\.index) == record.labels.map(\.index))
                let embedding = try #require(try await catalog.embedding(sha256: record.sha256, model: record.model))
                #expect(embedding.dims == 1280)
            }
        }
    }

    @Test func fromQueueEnqueuesForWorkers() async throws {
        let folder = try PhotoFolder.make(photos: 3, duplicate: true, bad: true)
        defer { folder.remove() }
        let base = folder.directory.deletingLastPathComponent()
        let data = base.appendingPathComponent("data").path
        let out = base.appendingPathComponent("out")
        let result = try await CLI.run(["batch", folder.directory.path, "--out", out.path, "--from-queue", "--data", data])
        #expect(result.status == 0, "\(result.stderr)")
        // The good photos, the duplicate and the truncated file (its header is fine) are queued; the
        // text file and the pixel bomb are refused up front.
        #expect(result.stderr.contains("5 items queued for `lenscale worker`, 2 refused"), "\(result.stderr)")
        #expect(result.stderr.contains("not-a-photo.jpg"), "refused files are named with the reason")
        let batches = try String(contentsOf: out.appendingPathComponent("batches.jsonl"), encoding: .utf8)
        #expect(batches.contains("\"batch\":\"") && batches.contains("\"items\":7"), "\(batches)")

        // A worker drains the queue into the workspace's catalog: one image per distinct content.
        let worker = try await CLI.run(["worker", "--data", data, "--exit-when-idle"])
        #expect(worker.status == 0, "\(worker.stderr)")
        let images = try await withCatalog(try CatalogLocation(parsing: data + "/catalog.sqlite")) { catalog in
            try await catalog.imageCount()
        }
        #expect(images == 3)

        let sharded = try await CLI.run(["batch", folder.directory.path, "--out", out.path, "--from-queue", "--shard", "0/2"])
        #expect(sharded.status != 0 && sharded.stderr.contains("drop --shard"), "\(sharded.stderr)")
    }
}
