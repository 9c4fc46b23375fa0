import Foundation
import Storage
import Testing
import TestSupport

/// `lenscale ingest` (a real process) into an S3 store that goes down part way through: the
/// shared S3 test server behind a `FaultProxy`, taken down once a few objects have landed.
@Suite(.serialized) struct IngestFaultTests {
    @Test("ingest through an S3 outage: clean per-file errors, only whole objects, no row without bytes; the rerun completes")
    func ingestThroughAnOutage() async throws {
        let moto = try await S3TestServer.shared.endpoint()
        let proxy = try FaultProxy(upstreamPort: moto.port)
        let prefix = "faults-ingest-\(UUID().uuidString)"
        let direct = S3Store(configuration: try S3Configuration(
            bucket: moto.bucket, keyPrefix: prefix, endpoint: moto.url,
            credentials: S3Credentials(accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey)), httpClient: TestHTTP.s3)
        let data = try Scratch()
        defer { data.remove() }
        let arguments = ["ingest", TestPaths.sharedImages.path, "--data", data.directory.path, "--format", "jsonl", "--batch", "4",
                         "--store", "s3://\(moto.bucket)/\(prefix)?endpoint=\(proxy.endpoint.absoluteString)&timeout=5&deadline=10&attempts=3"]
        let environment = ["AWS_ACCESS_KEY_ID": moto.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey]

        // Each new photo costs a HEAD and a PUT: about five photos get through, then the store
        // goes away mid-run.
        proxy.goDown(afterRequests: 10)
        let first = try await Task.detached { try await CLI.run(arguments, environment: environment) }.value
        #expect(!first.crashed)
        #expect(first.status == 1, "\(first.stderr)")
        let lines = try IngestCommandTests().lines(first.stdout)
        let stored = lines.filter { $0.status == "new" }
        let failed = lines.filter { $0.status == "error" }
        #expect(!failed.isEmpty && failed.allSatisfy { $0.error?.isEmpty == false }, "\(first.stdout)")
        #expect(first.stderr.contains("could not reach the storage server") || first.stderr.contains("got no answer"), "\(first.stderr)")

        // Only whole objects, each under its own hash; every catalogued image has its bytes.
        let keys = Set(try await direct.list(prefix: "", limit: 1000).objects.map(\.key))
        for key in keys {
            #expect(ObjectKey.contentKey(for: try await direct.get(key)) == key)
        }
        #expect(Set(stored.compactMap(\.sha256)).isSubset(of: keys), "catalog rows without objects")

        // The store is back: the rerun stores and catalogues exactly the files that failed (they
        // have no catalog row, or they would be duplicates) and the rest are duplicates.
        try proxy.set(.forwarding)
        let second = try await Task.detached { try await CLI.run(arguments, environment: environment) }.value
        #expect(second.status == 0, "\(second.stderr)")
        let rerun = try IngestCommandTests().lines(second.stdout)
        #expect(Set(rerun.filter { $0.status == "new" }.map(\.path)) == Set(failed.map(\.path)))
        #expect(rerun.filter { $0.status == "new" }.count + rerun.filter { $0.status != "new" && $0.status != "error" }.count == lines.count)
        let after = Set(try await direct.list(prefix: "", limit: 1000).objects.map(\.key))
        #expect(Set(rerun.compactMap(\.sha256)).isSubset(of: after))
    }
}
