import Classification
import Foundation
import Inference
import Hashing
import Synchronization
import Testing
import TestSupport

@Suite struct PipelineTests {
    @Test func keepsInputOrderAndReportsBadFilesPerItem() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.jpg")
        try Data(BadInputs.text).write(to: bad)
        let paths = [TestPaths.sharedImage("chelsea.png").path, bad.path, directory.appendingPathComponent("missing.jpg").path,
                     TestPaths.sharedImage("coffee.png").path, TestPaths.sharedImage("egret.jpg").path]
        let pipeline = ClassificationPipeline(classifier: try Classifiers.named("efficientnet-lite0"), batchSize: 2, decodeConcurrency: 2)
        var items: [ClassificationPipeline.Item] = []
        await pipeline.run(paths) { items.append($0) }
        #expect(items.map(\.index) == [0, 1, 2, 3, 4])
        #expect(items.map(\.path) == paths)
        #expect((try? items[0].result.get())?.labels.first?.index == 282 || (try? items[0].result.get())?.labels.first?.index == 281)
        guard case .failure(.decode(.notAnImage)) = items[1].result else { Issue.record("text file: \(items[1].result)"); return }
        guard case .failure(.unreadable) = items[2].result else { Issue.record("missing file: \(items[2].result)"); return }
        #expect((try? items[3].result.get())?.labels.first?.index == 967)
        #expect((try? items[4].result.get()) != nil)
    }

    /// Batching must not change answers: the same image alone and inside a batch of 8 gives the same logits.
    @Test func batchedPredictionsEqualSingleOnes() throws {
        let classifier = try Classifiers.named("efficientnet-lite0")
        let files = ["china.jpg", "rocket.jpg", "snake.jpg", "egret.jpg", "level-06.jpg", "chelsea.png", "coffee.png", "grace_hopper.jpg"]
        let prepared = try files.map { try classifier.prepare(try bytes(of: TestPaths.sharedImage($0))) }
        let batched = try classifier.classify(prepared, top: 3, embeddings: true)
        for (i, image) in prepared.enumerated() {
            let single = try classifier.classify([image], top: 3, embeddings: true)[0]
            #expect(single.labels.map(\.index) == batched[i].labels.map(\.index))
            for (a, b) in zip(single.labels, batched[i].labels) { #expect(abs(a.score - b.score) < 1e-4) }
            let embedding = try #require(batched[i].embedding)
            #expect(embedding.count == 1280)
            #expect(zip(embedding, single.embedding!).allSatisfy { abs($0 - $1) < 1e-3 })
        }
    }

    /// The prediction carries the file's content address, whether the classifier hashes the
    /// bytes itself or is handed the hash (as ingest does, having hashed first).
    @Test func predictionsCarryTheContentAddress() throws {
        let classifier = try Classifiers.named("efficientnet-lite0")
        let data = try bytes(of: TestPaths.sharedImage("egret.jpg"))
        let expected = ContentHash(of: data).hex
        #expect(try classifier.prepare(data).sha256 == expected)
        #expect(try classifier.prepare(data, sha256: expected).sha256 == expected)
        #expect(try classifier.classify([classifier.prepare(data)])[0].sha256 == expected)
    }
}

@Suite struct ModelChecksumTests {
    @Test func installedModelsMatchTheirManifest() throws {
        for model in Classifiers.manifest.models { try model.verifyChecksum() }
    }

    @Test func aChangedFileIsRefused() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = TestPaths.models.appendingPathComponent("models.json")
        var json = try String(contentsOf: source, encoding: .utf8)
        let spec = try Classifiers.manifest.model(named: "efficientnet-lite0")
        json = json.replacingOccurrences(of: spec.sha256, with: String(repeating: "0", count: 64))
        for file in try FileManager.default.contentsOfDirectory(atPath: TestPaths.models.path) where file != "models.json" {
            try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent(file),
                                                       withDestinationURL: TestPaths.models.appendingPathComponent(file))
        }
        try json.write(to: directory.appendingPathComponent("models.json"), atomically: true, encoding: .utf8)
        let changed = try ModelManifest.load(from: directory.appendingPathComponent("models.json")).model(named: "efficientnet-lite0")
        #expect(throws: ClassificationError.self) { try changed.verifyChecksum() }
    }
}

@Suite struct DecodePoolTests {
    @Test("past its threads and queue the pool refuses at once, and takes work again when a thread frees up")
    func boundedQueue() async throws {
        let pool = DecodePool(threads: 1, maxQueued: 1)
        // Blocks the pool's one thread (not a test thread) until signalled.
        let release = DispatchSemaphore(value: 0)
        async let first: Int = pool.run { release.wait(); return 1 }
        try await poll("the first to take the thread") { pool.admitted == 1 }
        async let second: Int = pool.run { 2 }
        // The second waits behind the first; a third finds the queue full.
        try await poll("the second to be queued") { pool.admitted == 2 }
        await #expect(throws: DecodePool.Full.self) { try await pool.run { 3 } }
        release.signal()
        #expect(try await first == 1)
        #expect(try await second == 2)
        #expect(try await pool.run { 4 } == 4)
    }

    @Test("background threads end once their owner is gone and the work given to them is done")
    func threadsEndWithTheirOwner() async throws {
        // The kernel's names of this process's threads.
        @Sendable func threads(named name: String) -> Int {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
            return tasks.filter { ((try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8)) ?? "").hasPrefix(name) }.count
        }
        // Two jobs start two threads (one a job until `count`; the first may take both jobs
        // before the second has named itself); the pool is dropped on return.
        func useAndDrop() async throws {
            let pool = BackgroundThreads(count: 2, name: "ends-test")
            async let first = pool.run { 1 }
            async let second = pool.run { 2 }
            #expect(await [first, second] == [1, 2])
            try await poll("two threads") { threads(named: "ends-test-") == 2 }
        }
        try await useAndDrop()
        try await poll("the threads to end") { threads(named: "ends-test-") == 0 }
    }

    @Test("decodes run on the pool's own threads, all of them at once, below the process's priority")
    func ownThreadsAtLowerPriority() async throws {
        let pool = DecodePool(threads: 3, maxQueued: 0)
        let release = DispatchSemaphore(value: 0)
        let running = Mutex<[String]>([])
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        let caller = getpriority(which, 0)
        let work: @Sendable () -> Int32 = {
            let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            running.withLock { $0.append(name.trimmingCharacters(in: .newlines)) }
            release.wait()
            return getpriority(which, 0)
        }
        async let a = pool.run(work)
        async let b = pool.run(work)
        async let c = pool.run(work)
        do {
            // Three threads, each holding one decode at the same time.
            try await poll("three decodes running at once") { running.withLock { $0.count } == 3 }
        } catch {
            for _ in 0..<3 { release.signal() }  // lets the decodes end, so the test does too
            throw error
        }
        #expect(Set(running.withLock { $0 }) == ["decode-1", "decode-2", "decode-3"])
        for _ in 0..<3 { release.signal() }
        for nice in try await [a, b, c] {
            #expect(nice == min(19, caller + DecodePool.niceness))
        }
    }
}
