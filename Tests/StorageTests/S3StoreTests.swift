import Foundation
@testable import Storage
import TestSupport
import Testing

/// Against moto on 127.0.0.1 with signature checking on (see `S3TestServer`): every passing
/// request here was also verified by botocore's SigV4.
@Suite struct S3StoreTests {
    @Test(arguments: [S3AddressingStyle.path, .virtualHost])
    func putGetHeadDeleteRoundTrip(style: S3AddressingStyle) async throws {
        let store = try await StorageFixtures.s3Store(style: style)
        let bytes = StorageFixtures.bytes(70_000, seed: 11)
        let key = ObjectKey.contentKey(for: bytes)

        #expect(try await store.head(key) == nil)
        #expect(try await store.put(bytes, key: key) == .stored)
        #expect(try await store.put(bytes, key: key) == .alreadyPresent)
        #expect(try await store.get(key) == bytes)
        #expect(try await store.head(key) == ObjectInfo(key: key, size: 70_000))
        try await store.delete(key)
        #expect(try await store.head(key) == nil)
        await #expect(throws: StorageError.notFound(key)) { try await store.get(key) }
        try await store.delete(key)
    }

    /// The media type given to `put` is the object's `Content-Type`, so a CDN serving the bucket
    /// sends `image/heic` for a HEIC; without one it is `application/octet-stream`.
    @Test func mediaTypeIsTheObjectsContentType() async throws {
        let store = try await StorageFixtures.s3Store(style: .path)
        let typed = StorageFixtures.bytes(1_000, seed: 21), untyped = StorageFixtures.bytes(1_000, seed: 22)
        #expect(try await store.put(typed, key: ObjectKey.contentKey(for: typed), mediaType: "image/heic") == .stored)
        #expect(try await store.put(untyped, key: ObjectKey.contentKey(for: untyped)) == .stored)
        for (bytes, expected) in [(typed, "image/heic"), (untyped, "application/octet-stream")] {
            let name = store.configuration.objectName(for: ObjectKey.contentKey(for: bytes))
            let response = try await store.send(S3Request(method: .head, objectName: name))
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == expected, "\(response.headers)")
        }
    }

    /// Both styles must reach the same object, so the virtual-host request really named the
    /// bucket through its Host header.
    @Test func virtualHostAndPathStyleSeeTheSameBucket() async throws {
        let prefix = "t-\(UUID().uuidString.lowercased())"
        let virtual = try await StorageFixtures.s3Store(style: .virtualHost, prefix: prefix)
        let path = try await StorageFixtures.s3Store(style: .path, prefix: prefix)
        #expect(try await virtual.put([1, 2, 3], key: "via/virtual") == .stored)
        #expect(try await path.get("via/virtual") == [1, 2, 3])
        #expect(try await path.put([4], key: "via/path") == .stored)
        #expect(try await virtual.list(prefix: "via/").objects.map(\.key) == ["via/path", "via/virtual"])
    }

    @Test func missingKeyIsNotFound() async throws {
        let store = try await StorageFixtures.s3Store()
        await #expect(throws: StorageError.notFound("photos/none.jpg")) { try await store.get("photos/none.jpg") }
        #expect(try await store.head("photos/none.jpg") == nil)
    }

    @Test func missingBucketIsAConfigurationErrorNotAMissingKey() async throws {
        let server = try await S3TestServer.shared.endpoint()
        let store = S3Store(configuration: try S3Configuration(
            bucket: "no-such-bucket", endpoint: server.url, credentials: S3Credentials(accessKeyID: server.accessKeyID, secretAccessKey: server.secretAccessKey)), httpClient: TestHTTP.s3)
        await #expect(throws: StorageError.http(status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist")) {
            try await store.get("k")
        }
    }

    @Test func largeObjectRoundTrip() async throws {
        let store = try await StorageFixtures.s3Store()
        let bytes = StorageFixtures.bytes(21 * 1024 * 1024, seed: 5)
        let key = ObjectKey.contentKey(for: bytes)
        #expect(try await store.put(bytes, key: key) == .stored)
        #expect(try await store.head(key)?.size == bytes.count)
        let back = try await store.get(key)
        #expect(back.count == bytes.count)
        #expect(back == bytes)
    }

    /// Names that need percent-encoding in the path, the query and the signature alike.
    @Test func awkwardKeysRoundTripAndList() async throws {
        let store = try await StorageFixtures.s3Store()
        let keys = ["dir with space/a+b=c&d$.jpg", "名前/写真 1.jpg", "x/~tilde_(1)!*'.png", "q?/hash#.txt"]
        for (index, key) in keys.enumerated() {
            #expect(try await store.put([UInt8(index)], key: key) == .stored)
            #expect(try await store.get(key) == [UInt8(index)])
        }
        #expect(try await StorageFixtures.allKeys(store, pageSize: 2) == keys.sorted(by: ObjectKey.precedes))
        #expect(try await store.list(prefix: "dir with space/").objects.map(\.key) == [keys[0]])
    }

    @Test func keyPrefixesIsolateStoresSharingABucket() async throws {
        let base = "t-\(UUID().uuidString.lowercased())"
        let one = try await StorageFixtures.s3Store(prefix: base + "/a")
        let two = try await StorageFixtures.s3Store(prefix: base + "/a2")
        #expect(try await one.put([1], key: "k") == .stored)
        #expect(try await two.put([2], key: "k") == .stored)
        #expect(try await one.list().objects == [ObjectInfo(key: "k", size: 1)])
        #expect(try await two.get("k") == [2])
    }

    /// More than S3's 1,000-key page: paged by the store's own small pages, by the stream, and
    /// by one call whose limit needs a continuation token.
    @Test func listingMoreThanAThousandKeys() async throws {
        let store = try await StorageFixtures.s3Store()
        let keys = (0..<1_050).map { String(format: "batch/%05d.jpg", $0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for chunk in stride(from: 0, to: keys.count, by: 131) {
                group.addTask {
                    for key in keys[chunk..<min(chunk + 131, keys.count)] {
                        _ = try await store.put(Array(key.utf8), key: key)
                    }
                }
            }
            try await group.waitForAll()
        }
        let first = try await store.list(prefix: "batch/", startAfter: nil, limit: 400)
        #expect(first.objects.map(\.key) == Array(keys[0..<400]))
        #expect(first.nextStartAfter == keys[399])
        let last = try await store.list(prefix: "batch/", startAfter: keys[799], limit: 400)
        #expect(last.objects.map(\.key) == Array(keys[800...]))
        #expect(last.nextStartAfter == nil)
        #expect(try await StorageFixtures.allKeys(store, prefix: "batch/", pageSize: 300) == keys)
        let whole = try await store.list(prefix: "", startAfter: nil, limit: 1_050)
        #expect(whole.objects.count == 1_050 && whole.nextStartAfter == nil)
        #expect(whole.objects.allSatisfy { $0.size == $0.key.utf8.count })
    }

    /// moto checks signatures, so a wrong secret must be refused, and refused at once.
    @Test func wrongSecretIsRejectedWithoutRetrying() async throws {
        let store = try await StorageFixtures.s3Store(secret: "not-the-secret")
        await #expect {
            try await store.get("k")
        } throws: { error in
            guard case .http(403, let code, _) = error as? StorageError else { return false }
            return code == "SignatureDoesNotMatch"
        }
        // HEAD answers carry no error document, so only the status is known.
        await #expect(throws: StorageError.http(status: 403, code: nil, message: nil)) { try await store.put([1], key: "k") }
        // That a 403 is not retried is counted in S3StoreRetryTests, against a scripted server.
    }
}
