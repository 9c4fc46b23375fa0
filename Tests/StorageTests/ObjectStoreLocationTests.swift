import Foundation
@testable import Storage
import Testing
import TestSupport

@Suite struct ObjectStoreLocationTests {
    @Test func plainAndFileURLPaths() throws {
        #expect(try ObjectStoreLocation(parsing: "/srv/lenscale") == .fileSystem(root: URL(fileURLWithPath: "/srv/lenscale")))
        #expect(try ObjectStoreLocation(parsing: "file:///srv/lenscale/") == .fileSystem(root: URL(fileURLWithPath: "/srv/lenscale")))
        #expect(try ObjectStoreLocation(parsing: "file://localhost/srv/x") == .fileSystem(root: URL(fileURLWithPath: "/srv/x")))
        #expect(try ObjectStoreLocation(parsing: "/data/odd://name") == .fileSystem(root: URL(fileURLWithPath: "/data/odd:/name")))
        let relative = try ObjectStoreLocation(parsing: "data/store")
        let cwd = FileManager.default.currentDirectoryPath
        #expect(relative == .fileSystem(root: URL(fileURLWithPath: cwd).appendingPathComponent("data/store").standardizedFileURL))
    }

    @Test func s3URL() throws {
        let location = try ObjectStoreLocation(parsing: "s3://bucket/p?endpoint=http://127.0.0.1:1",
                                               environment: ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"])
        guard case .s3(let configuration) = location else {
            Issue.record("expected an S3 location, got \(location)")
            return
        }
        #expect(configuration.bucket == "bucket" && configuration.keyPrefix == "p")
        #expect(location.makeStore(httpClient: TestHTTP.s3) is S3Store)
    }

    @Test func withObjectStoreChoosesByScheme() async throws {
        #expect(try await withObjectStore("/tmp/x", environment: [:]) { $0 is FileSystemStore })
        await #expect(throws: StorageError.self) { try await withObjectStore("s3://bucket", environment: [:]) { _ in } }
    }

    @Test(arguments: ["", "   ", "http://example.com/x", "file://otherhost/x"])
    func rejectsOtherLocations(text: String) {
        #expect {
            try ObjectStoreLocation(parsing: text, environment: [:])
        } throws: { error in
            if case .invalidConfiguration = error as? StorageError { true } else { false }
        }
    }
}
