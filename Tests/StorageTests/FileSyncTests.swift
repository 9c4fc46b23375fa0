import Foundation
@testable import Storage
import Synchronization
import Testing

/// "Already present" acknowledges a put as much as "stored" does, so the existing file and its
/// folders are fsynced before it is returned; observed through the `FileSync` seam.
@Suite struct FileSyncTests {
    enum Call: Equatable { case file(String), directory(String) }

    /// Records each call, then syncs for real (or fails, when told to).
    final class RecordingSync: FileSync {
        let calls = Mutex<[Call]>([])
        let failing = Mutex(false)

        func syncFile(_ path: String) throws(StorageError) {
            calls.withLock { $0.append(.file(path)) }
            if failing.withLock({ $0 }) { throw .io(path: path, operation: "fsync", message: "injected failure") }
            try PosixFileSync().syncFile(path)
        }

        func syncDirectory(_ path: String) throws(StorageError) {
            calls.withLock { $0.append(.directory(path)) }
            if failing.withLock({ $0 }) { throw .io(path: path, operation: "fsync", message: "injected failure") }
            try PosixFileSync().syncDirectory(path)
        }

        func take() -> [Call] { calls.withLock { let taken = $0; $0 = []; return taken } }
    }

    @Test("a put that finds the object fsyncs the file, then each folder up to the root")
    func alreadyPresentSyncs() async throws {
        let sync = RecordingSync()
        let store = FileSystemStore(root: try StorageFixtures.fileSystemStore().root, sync: sync)
        defer { StorageFixtures.remove(store) }
        let bytes = StorageFixtures.bytes(5_000)
        let key = ObjectKey.contentKey(for: bytes)
        let root = store.root.path
        let first = root + "/content/" + key.prefix(2), second = first + "/" + key.dropFirst(2).prefix(2)
        let folders: [Call] = [.directory(second), .directory(first), .directory(root + "/content"), .directory(root)]

        #expect(try await store.put(bytes, key: key) == .stored)
        #expect(sync.take() == folders, "a new object syncs its folders, innermost first")

        #expect(try await store.put(bytes, key: key) == .alreadyPresent)
        #expect(sync.take() == [.file(second + "/" + key)] + folders)

        #expect(try await store.put([1, 2], key: "a/b.txt") == .stored)
        _ = sync.take()
        #expect(try await store.put([1, 2], key: "a/b.txt") == .alreadyPresent)
        #expect(sync.take() == [.file(root + "/named/a/b.txt"), .directory(root + "/named/a"), .directory(root + "/named"), .directory(root)])
    }

    @Test("when that fsync fails the put fails: nothing unsynced is acknowledged")
    func failedSyncIsNotAcknowledged() async throws {
        let sync = RecordingSync()
        let store = FileSystemStore(root: try StorageFixtures.fileSystemStore().root, sync: sync)
        defer { StorageFixtures.remove(store) }
        let bytes = StorageFixtures.bytes(1_000)
        let key = ObjectKey.contentKey(for: bytes)
        #expect(try await store.put(bytes, key: key) == .stored)
        sync.failing.withLock { $0 = true }
        await #expect(throws: StorageError.self) { try await store.put(bytes, key: key) }
    }
}
