import Classification
import Inference
import Foundation
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

    @Test func sha256IsTheContentAddress() throws {
        // SHA-256 of the empty string and of "abc" (FIPS 180-2 test vectors).
        #expect(Classifier.sha256([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Classifier.sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
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
