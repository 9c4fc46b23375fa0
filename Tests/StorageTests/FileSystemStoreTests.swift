import Foundation
@testable import Storage
import Testing

@Suite struct FileSystemStoreTests {
    @Test func putGetHeadDeleteRoundTrip() async throws {
        let store = try StorageFixtures.fileSystemStore()
        defer { StorageFixtures.remove(store) }
        let bytes = StorageFixtures.bytes(10_000)
        let key = ObjectKey.contentKey(for: bytes)

        #expect(try await store.head(key) == nil)
        #expect(try await store.put(bytes, key: key) == .stored)
        #expect(try await store.get(key) == bytes)
        #expect(try await store.head(key) == ObjectInfo(key: key, size: 10_000))
        // Sharded by the first two bytes of the hash.
        let file = store.root.appendingPathComponent("content/\(key.prefix(2))/\(key.dropFirst(2).prefix(2))/\(key)")
        #expect(FileManager.default.contents(atPath: file.path) == Data(bytes))

        try await store.delete(key)
        #expect(try await store.head(key) == nil)
        await #expect(throws: StorageError.notFound(key)) { try await store.get(key) }
        try await store.delete(key)  // deleting again is not an error
    }

    @Test func namedKeysLiveAtTheirPath() async throws {
        let store = try StorageFixtures.fileSystemStore()
        defer { StorageFixtures.remove(store) }
        #expect(try await store.put([1, 2, 3], key: "photos/2024/a.jpg") == .stored)
        #expect(FileManager.default.contents(atPath: store.root.appendingPathComponent("named/photos/2024/a.jpg").path) == Data([1, 2, 3]))
        #expect(try await store.get("photos/2024/a.jpg") == [1, 2, 3])
        // A folder of deeper keys is not an object.
        #expect(try await store.head("photos/2024") == nil)
        await #expect(throws: StorageError.notFound("photos")) { try await store.get("photos") }
        // A file cannot also be a folder: the store says so instead of failing with ENOTDIR.
        await #expect {
            try await store.put([9], key: "photos/2024/a.jpg/deeper")
        } throws: { error in
            guard case .invalidKey(_, let reason) = error as? StorageError else { return false }
            return reason.contains("cannot hold both")
        }
    }

    @Test func secondPutOfAKeyWritesNothing() async throws {
        let store = try StorageFixtures.fileSystemStore()
        defer { StorageFixtures.remove(store) }
        let bytes = StorageFixtures.bytes(100)
        let key = ObjectKey.contentKey(for: bytes)
        #expect(try await store.put(bytes, key: key) == .stored)
        let path = try store.location(of: key).path
        let before = try FileManager.default.attributesOfItem(atPath: path)
        #expect(try await store.put(bytes, key: key) == .alreadyPresent)
        let after = try FileManager.default.attributesOfItem(atPath: path)
        #expect(before[.systemFileNumber] as? UInt64 == after[.systemFileNumber] as? UInt64)
        #expect(before[.modificationDate] as? Date == after[.modificationDate] as? Date)
        // First write wins for named keys too.
        #expect(try await store.put([1], key: "n") == .stored)
        #expect(try await store.put([2], key: "n") == .alreadyPresent)
        #expect(try await store.get("n") == [1])
    }

    @Test func wrongBytesForAContentKeyAreRefused() async throws {
        let store = try StorageFixtures.fileSystemStore()
        defer { StorageFixtures.remove(store) }
        let key = ObjectKey.contentKey(for: [1])
        await #expect(throws: StorageError.contentMismatch(key: key, actual: ObjectKey.contentKey(for: [2]))) {
            try await store.put([2], key: key)
        }
        #expect(try await store.head(key) == nil)
    }

    @Test func twentyConcurrentPutsOfOneObject() async throws {
        let store = try StorageFixtures.fileSystemStore()
        defer { StorageFixtures.remove(store) }
        let bytes = StorageFixtures.bytes(3_000_000, seed: 7)
        let key = ObjectKey.contentKey(for: bytes)
        let outcomes = try await withThrowingTaskGroup(of: PutOutcome.self) { group in
            for _ in 0..<20 { group.addTask { try await store.put(bytes, key: key) } }
            return try await group.reduce(into: [PutOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .stored }.count == 1)
        #expect(outcomes.filter { $0 == .alreadyPresent }.count == 19)
        let folder = try store.location(of: key).directory
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [key])
        #expect(try await store.get(key) == bytes)
    }

    /// A crash between writing and renaming leaves a partial file beside the destination.
    @Test func leftoverPartialFileIsInvisible() async throws {
        let store = try StorageFixtures.fileSystemStore()
        defer { StorageFixtures.remove(store) }
        let bytes = StorageFixtures.bytes(5000, seed: 3)
        let key = ObjectKey.contentKey(for: bytes)
        let location = try store.location(of: key)
        try FileManager.default.createDirectory(atPath: location.directory, withIntermediateDirectories: true)
        let torn = location.directory + "/" + ObjectKey.reservedSegmentPrefix + "deadbeef"
        _ = FileManager.default.createFile(atPath: torn, contents: Data(bytes.prefix(1000)))
        try FileManager.default.createDirectory(atPath: store.namedRoot + "/jobs", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: store.namedRoot + "/jobs/" + ObjectKey.reservedSegmentPrefix + "x", contents: Data([1]))

        await #expect(throws: StorageError.notFound(key)) { try await store.get(key) }
        #expect(try await store.head(key) == nil)
        #expect(try await store.list().objects.isEmpty)
        #expect(try await store.put(bytes, key: key) == .stored)
        #expect(try await store.get(key) == bytes)
        #expect(try await store.list().objects == [ObjectInfo(key: key, size: 5000)])
    }

    @Test func listingPagesInByteOrderAcrossBothTrees() async throws {
        let store = try StorageFixtures.fileSystemStore()
        defer { StorageFixtures.remove(store) }
        var expected: [ObjectInfo] = []
        for seed in 0..<12 {
            let bytes = StorageFixtures.bytes(10 + seed, seed: UInt64(seed))
            let key = ObjectKey.contentKey(for: bytes)
            #expect(try await store.put(bytes, key: key) == .stored)
            expected.append(ObjectInfo(key: key, size: bytes.count))
        }
        // '-' sorts before '/', so "a-b" must come before "a/b" even though folder "a" sorts first by name.
        for key in ["a/b", "a-b", "a/c/d", "a0", "Z", "zz/top", "é/x", "\u{FF21}"] {
            #expect(try await store.put(Array(key.utf8), key: key) == .stored)
            expected.append(ObjectInfo(key: key, size: key.utf8.count))
        }
        expected.sort { ObjectKey.precedes($0.key, $1.key) }

        var pages: [ListPage] = []
        var cursor: String?
        repeat {
            let page = try await store.list(prefix: "", startAfter: cursor, limit: 7)
            pages.append(page)
            cursor = page.nextStartAfter
        } while cursor != nil
        #expect(pages.map(\.objects.count) == [7, 7, 6])
        #expect(pages.flatMap(\.objects) == expected)
        #expect(pages.dropLast().allSatisfy { $0.nextStartAfter == $0.objects.last?.key })

        let underA = expected.map(\.key).filter { $0.hasPrefix("a") }
        #expect(underA.starts(with: ["a-b", "a/b", "a/c/d", "a0"]))
        #expect(try await store.list(prefix: "a", limit: 10).objects.map(\.key) == Array(underA.prefix(10)))
        #expect(try await store.list(prefix: "a/", startAfter: "a/b", limit: 10).objects.map(\.key) == ["a/c/d"])
        #expect(try await StorageFixtures.allKeys(store, pageSize: 3) == expected.map(\.key))
    }

    @Test func listingAnEmptyOrMissingStore() async throws {
        let store = FileSystemStore(root: URL(fileURLWithPath: "/nonexistent/lenscale-\(UUID().uuidString)"))
        #expect(try await store.list() == ListPage(objects: [], nextStartAfter: nil))
        #expect(try await store.head("a") == nil)
        await #expect(throws: StorageError.self) { try await store.list(prefix: "", startAfter: nil, limit: 0) }
    }

    @Test func everyMethodRejectsUnsafeKeys() async throws {
        let store = try StorageFixtures.fileSystemStore()
        defer { StorageFixtures.remove(store) }
        for key in ["", "../escape", "/abs", "a\u{0}"] {
            await #expect(throws: StorageError.self) { try await store.put([1], key: key) }
            await #expect(throws: StorageError.self) { try await store.get(key) }
            await #expect(throws: StorageError.self) { try await store.head(key) }
            await #expect(throws: StorageError.self) { try await store.delete(key) }
        }
        await #expect(throws: StorageError.self) { try await store.list(prefix: "../", startAfter: nil, limit: 1) }
        #expect(!FileManager.default.fileExists(atPath: store.root.deletingLastPathComponent().appendingPathComponent("escape").path))
    }

    @Test func unwritableRootIsAnIOErrorNamingThePath() async throws {
        let store = try StorageFixtures.fileSystemStore()
        defer { StorageFixtures.remove(store) }
        let file = store.root.appendingPathComponent("plain-file")
        _ = FileManager.default.createFile(atPath: file.path, contents: Data())
        let nested = FileSystemStore(root: file)
        await #expect {
            try await nested.put([1], key: "k")
        } throws: { error in
            guard case .io(let path, let operation, _) = error as? StorageError else { return false }
            return path.hasPrefix(file.path) && operation == "mkdir"
        }
    }
}
