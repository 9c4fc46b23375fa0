import Foundation
@testable import Storage
import TestSupport

/// Stores and data the storage tests share.
enum StorageFixtures {
    /// A file-system store in a fresh temporary folder; the caller removes `root`.
    static func fileSystemStore() throws -> FileSystemStore {
        FileSystemStore(root: try TestPaths.temporaryDirectory())
    }

    static func remove(_ store: FileSystemStore) {
        try? FileManager.default.removeItem(at: store.root)
    }

    /// An S3 store on the shared moto server, under a key prefix no other test uses.
    static func s3Store(style: S3AddressingStyle = .path, prefix: String? = nil,
                        secret: String? = nil, retry: RetryPolicy = .standard) async throws -> S3Store {
        let server = try await S3TestServer.shared.endpoint()
        let configuration: S3Configuration
        switch style {
        case .path:
            configuration = try S3Configuration(
                bucket: server.bucket, keyPrefix: prefix ?? "t-\(UUID().uuidString.lowercased())", endpoint: server.url,
                addressingStyle: .path, credentials: credentials(server, secret: secret), requestTimeout: .seconds(60), retryPolicy: retry)
        case .virtualHost:
            // `bucket.localhost` does not resolve here, so dial 127.0.0.1 and send the bucket in
            // the Host header, as a DNS wildcard would route it.
            configuration = try S3Configuration(
                bucket: server.bucket, keyPrefix: prefix ?? "t-\(UUID().uuidString.lowercased())",
                endpoint: URL(string: "http://localhost:\(server.port)")!, addressingStyle: .virtualHost,
                credentials: credentials(server, secret: secret), connectAddress: "127.0.0.1:\(server.port)",
                requestTimeout: .seconds(60), retryPolicy: retry)
        }
        return S3Store(configuration: configuration, httpClient: TestHTTP.s3)
    }

    private static func credentials(_ server: S3TestServer.Endpoint, secret: String?) -> S3Credentials {
        S3Credentials(accessKeyID: server.accessKeyID, secretAccessKey: secret ?? server.secretAccessKey)
    }

    /// Deterministic bytes that differ per seed, so a mixed-up object is caught.
    static func bytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        BadInputs.randomBytes(count: count, seed: seed)
    }

    /// Keys under `prefix` currently in `store`, through every page.
    static func allKeys(_ store: some ObjectStore, prefix: String = "", pageSize: Int = 1000) async throws -> [String] {
        var keys: [String] = []
        for try await object in store.objects(prefix: prefix, pageSize: pageSize) { keys.append(object.key) }
        return keys
    }
}

extension StorageError {
    /// For `#expect(throws:)` checks that only care about the case.
    var isInvalidKey: Bool { if case .invalidKey = self { true } else { false } }
}
