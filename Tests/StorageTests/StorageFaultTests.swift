import Clocks
import Foundation
import Glibc
@testable import Storage
import Testing
import TestSupport

/// Faults of the store's medium: an S3 endpoint that is down or silent, and a disk that fills up.
@Suite struct StorageFaultTests {
    // MARK: S3 deadline

    static let backoff = RetryPolicy(maxAttempts: 50, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100))

    static func store(_ server: ScriptedHTTPServer, deadline: Duration, attempts: Int = 50,
                      clock: any Clock<Duration> = ContinuousClock()) throws -> S3Store {
        S3Store(configuration: try S3Configuration(
            bucket: "bucket", endpoint: server.endpoint, credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"),
            requestTimeout: .milliseconds(300), deadline: deadline,
            retryPolicy: RetryPolicy(maxAttempts: attempts, baseDelay: backoff.baseDelay, maxDelay: backoff.maxDelay)), httpClient: TestHTTP.s3, clock: clock)
    }

    @Test("a silent endpoint fails with a retryable timeout within the deadline, however many attempts are allowed")
    func silentEndpointHitsTheDeadline() async throws {
        let server = try ScriptedHTTPServer(script: [.hang])
        defer { server.stop() }
        let clock = ManualClock()
        let store = try Self.store(server, deadline: .seconds(1), attempts: 200, clock: clock)
        let outcome = try await whileDriving(clock, server: server, maxBackoff: Self.backoff.maxDelay, firingTimers: true) {
            do throws(StorageError) {
                _ = try await store.put(Array("x".utf8), key: "named/a")
                return Result<Void, StorageError>.success(())
            } catch {
                return .failure(error)
            }
        }
        guard case .failure(let error) = outcome, case .timeout = error else {
            Issue.record("expected a timeout, got \(outcome)")
            return
        }
        #expect(error.isRetryable)
        // 200 attempts of 300 ms would take a minute; the 1 s deadline cuts them short after
        // three or four (300 ms each, with 10 to 100 ms between them), on the store's clock.
        #expect(clock.now.offset <= .seconds(1))
        #expect((2...4).contains(server.received.count), "\(server.received.count) attempts")
    }

    @Test("an endpoint answering 503 forever gives its 503 back within the deadline")
    func failingEndpointHitsTheDeadline() async throws {
        let server = try ScriptedHTTPServer(script: [.respond(status: 503, body: "<Error><Code>ServiceUnavailable</Code></Error>")])
        defer { server.stop() }
        // Many more attempts than fit in the deadline, and a deadline long enough for several
        // even on a loaded machine: what stops the retries must be the deadline.
        let clock = ManualClock()
        let store = try Self.store(server, deadline: .seconds(3), attempts: 1000, clock: clock)
        let outcome = try await whileDriving(clock, server: server, maxBackoff: Self.backoff.maxDelay) {
            do throws(StorageError) {
                _ = try await store.get("named/a")
                return Result<Void, StorageError>.success(())
            } catch {
                return .failure(error)
            }
        }
        guard case .failure(let error) = outcome else {
            Issue.record("a get from a failing server succeeded")
            return
        }
        #expect(error == .http(status: 503, code: "ServiceUnavailable", message: nil))
        #expect(error.isRetryable)
        // Backoffs of 10 to 100 ms fill the 3 s deadline after 30 to 300 attempts: the deadline,
        // not the attempt count, stopped it, on the store's clock.
        #expect(clock.now.offset <= .seconds(3))
        #expect((30...301).contains(server.received.count), "\(server.received.count) attempts")
    }

    @Test("a refused connection is a retryable transport error, and the store works once the server is back")
    func refusedThenBack() async throws {
        let port = Self.closedPort()
        let configuration = try S3Configuration(
            bucket: "bucket", endpoint: URL(string: "http://127.0.0.1:\(port)")!,
            credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"), requestTimeout: .milliseconds(500),
            deadline: .seconds(1), retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(50)))
        do throws(StorageError) {
            _ = try await S3Store(configuration: configuration, httpClient: TestHTTP.s3).head("named/a")
            Issue.record("a HEAD to a closed port succeeded")
        } catch {
            #expect(error.isTransient && error.isRetryable, "\(error)")
        }
        // The shared client holds no poisoned state: the same client reaches a live server next.
        let server = try ScriptedHTTPServer(script: [.respond(status: 200, body: "back")])
        defer { server.stop() }
        #expect(try await Self.store(server, deadline: .seconds(5)).get("named/a") == Array("back".utf8))
    }

    /// A loopback port with nothing listening: bound, read, then closed again.
    static func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    // MARK: A full disk

    @Test("a store on a disk that fills up throws storageFull, leaves no partial file, and stores again once space is freed",
          .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func diskFull() async throws {
        let folder = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=8m", "tmpfs", folder.path]
        try mount.run()
        try await mount.exited(within: .seconds(60), "mount -t tmpfs")
        try #require(mount.terminationStatus == 0, "mount -t tmpfs failed")
        defer { _ = umount(folder.path) }  // the system call: a defer cannot await a process
        let store = FileSystemStore(root: folder.appendingPathComponent("objects"))
        var stored: [String] = []
        var full: (bytes: [UInt8], key: String)?
        for seed in 1...40 as ClosedRange<UInt64> {
            // 700 kB each: the eighth or so fills the 8 MiB file system part way through a write.
            let bytes = StorageFixtures.bytes(700_000, seed: seed)
            let key = ObjectKey.contentKey(for: bytes)
            do throws(StorageError) {
                _ = try await store.put(bytes, key: key)
                stored.append(key)
            } catch {
                guard case .storageFull = error else { Issue.record("expected storageFull, got \(error)"); return }
                #expect(error.isRetryable)
                #expect(error.description.contains("free disk space"))
                full = (bytes, key)
                break
            }
        }
        let failed = try #require(full, "the 8 MiB disk never filled")
        #expect(stored.count >= 5)

        // Nothing half-written: every file is a whole object named by its hash, and no
        // temporary file is left behind.
        let files = try #require(FileManager.default.subpaths(atPath: store.root.path)).filter {
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: store.root.path + "/" + $0, isDirectory: &isFolder) && !isFolder.boolValue
        }
        #expect(!files.contains { $0.contains(".lenscale-partial-") }, "\(files)")
        #expect(Set(files.map { String($0.split(separator: "/").last!) }) == Set(stored))
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: store.root.appendingPathComponent(file)))
            #expect(ObjectKey.contentKey(for: bytes) == file.split(separator: "/").last.map(String.init))
        }
        #expect(try await store.head(failed.key) == nil)

        // Freeing space is all recovery needs.
        try await store.delete(stored[0])
        try await store.delete(stored[1])
        #expect(try await store.put(failed.bytes, key: failed.key) == .stored)
        #expect(try await store.get(failed.key) == failed.bytes)
    }
}
