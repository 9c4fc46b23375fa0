import Hashing
import Catalog
import Foundation
import Ingest
import Testing
import TestSupport

@Suite(.serialized) struct IngestorTests {
    let photos = ["chelsea.png", "coffee.png", "china.jpg", "rocket.jpg", "egret.jpg", "snake.jpg"]

    @Test func storesOnceAndReportsExactDuplicates() async throws {
        try await TestWorkspace.with { workspace in
            let paths = photos.map { TestPaths.sharedImage($0).path }
            let first = await workspace.ingest(paths)
            #expect(first.map(\.status) == Array(repeating: .new, count: photos.count), "\(first.map(\.message))")
            #expect(first.allSatisfy { $0.labels.count == 5 && $0.sha256?.count == 64 })
            #expect(try await workspace.workspace.catalog.imageCount() == photos.count)
            #expect(workspace.storedFiles().count == photos.count)

            // The same bytes again, also under another name, store nothing new.
            let copy = workspace.directory.appendingPathComponent("copy-of-chelsea.png")
            try FileManager.default.copyItem(at: TestPaths.sharedImage("chelsea.png"), to: copy)
            let second = await workspace.ingest(paths + [copy.path])
            #expect(second.allSatisfy { $0.status == .duplicate })
            #expect(second.last?.message == "exact duplicate of \(first[0].sha256!)")
            #expect(second[0].labels.map(\.index) == first[0].labels.map(\.index), "duplicates carry the stored labels")
            #expect(try await workspace.workspace.catalog.imageCount() == photos.count)
            #expect(workspace.storedFiles().count == photos.count)
        }
    }

    @Test func badFilesAreRejectedBeforeAnythingIsStored() async throws {
        try await TestWorkspace.with { workspace in
            let bad = workspace.directory.appendingPathComponent("bad")
            try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
            let photo = try bytes(of: TestPaths.sharedImage("china.jpg"))
            let files: [(String, [UInt8])] = [("text.jpg", BadInputs.text), ("truncated.jpg", Array(photo.prefix(photo.count / 2))),
                                              ("bomb.png", BadInputs.pngHeader(width: 100_000, height: 100_000)), ("empty.jpg", [])]
            for (name, data) in files { try Data(data).write(to: bad.appendingPathComponent(name)) }
            let results = await workspace.ingest(files.map { bad.appendingPathComponent($0.0).path } + [TestPaths.sharedImage("coffee.png").path])
            #expect(results.prefix(4).allSatisfy { $0.status == .error && $0.error != nil })
            #expect(results.last?.status == .new, "a good file after bad ones still goes in")
            #expect(try await workspace.workspace.catalog.imageCount() == 1)
            #expect(workspace.storedFiles().count == 1)
        }
    }

    @Test func aFailedStoreLeavesNoCatalogRow() async throws {
        try await TestWorkspace.with(store: FailingStore()) { workspace in
            let results = await workspace.ingest([TestPaths.sharedImage("coffee.png").path])
            #expect(results.first?.status == .error)
            #expect(results.first?.message?.contains("disk full") == true)
            let rows = try await workspace.workspace.catalog.imageCount()
            #expect(rows == 0)
        }
    }

    @Test func tiersFindCopiesAndKeepThemApart() async throws {
        try await TestWorkspace.with { workspace in
            let originals = await workspace.ingest(try LabelledPhotos.all.map(\.url.path))
            #expect(originals.allSatisfy { $0.status == .new })
            let cat = try #require(originals.first { $0.path.hasSuffix("chelsea.png") }?.sha256)
            let ingestor = workspace.ingestor

            // The same file: exact, and not repeated in the other tiers.
            let same = try await ingestor.duplicates(of: try await ingestor.resolve(TestPaths.sharedImage("chelsea.png").path), thresholds: .default)
            #expect(same.exact == [cat])
            #expect(!same.near.contains { $0.sha256 == cat } && !same.similar.contains { $0.sha256 == cat })

            // Re-encoded, rotated-with-EXIF, resized copies: near duplicates of the original.
            for variant in ["progressive.jpg", "lossless.webp", "large-4000.jpg", "exif-rotated.jpg", "cmyk.jpg"] {
                let report = try await ingestor.duplicates(of: try await ingestor.resolve(TestPaths.fixture(variant).path), thresholds: .default)
                #expect(report.exact.isEmpty, "\(variant)")
                #expect(report.near.map(\.sha256) == [cat], "\(variant): near \(report.near)")
            }

            // A SHA-256 query names the image itself, which is left out of its own results.
            let byHash = try await ingestor.duplicates(of: try await ingestor.resolve(cat), thresholds: .default)
            #expect(byHash.exact.isEmpty && !byHash.near.contains { $0.sha256 == cat })

            // Different photos are neither exact nor near duplicates of each other.
            let coffee = try await ingestor.duplicates(of: try await ingestor.resolve(TestPaths.sharedImage("coffee.png").path), thresholds: .default)
            #expect(coffee.near.isEmpty, "\(coffee.near)")
        }
    }

    @Test func similarRanksByCosine() async throws {
        try await TestWorkspace.with { workspace in
            _ = await workspace.ingest(try LabelledPhotos.all.map(\.url.path))
            let query = try await workspace.ingestor.resolve(TestPaths.fixture("progressive.jpg").path)
            let neighbours = try await workspace.ingestor.similar(to: query, k: 5)
            #expect(neighbours.count == 5)
            #expect(neighbours.map(\.score) == neighbours.map(\.score).sorted(by: >))
            let cat = ContentHashOf.file(TestPaths.sharedImage("chelsea.png"))
            #expect(neighbours.first?.sha256 == cat && neighbours[0].score > 0.8, "\(neighbours)")
        }
    }

    @Test func unknownHashesAndBadQueriesAreTypedErrors() async throws {
        try await TestWorkspace.with { workspace in
            await #expect(throws: IngestError.self) { try await workspace.ingestor.resolve(String(repeating: "a", count: 64)) }
            await #expect(throws: IngestError.self) { try await workspace.ingestor.resolve("not-a-file-or-hash") }
        }
    }

    @Test func indexesPersistAndRebuildFromTheCatalog() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await TestWorkspace.with(directory: directory, removing: false) { first in
            _ = await first.ingest(photos.map { TestPaths.sharedImage($0).path })
        }
        // Reopen with the saved files.
        try await TestWorkspace.with(directory: directory, removing: false) { second in
            #expect(await second.ingestor.indexes.imageCount == photos.count)
        }
        // Delete them: they are rebuilt from the catalog.
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("index").path) {
            try FileManager.default.removeItem(at: directory.appendingPathComponent("index").appendingPathComponent(file))
        }
        try await TestWorkspace.with(directory: directory, removing: false) { third in
            #expect(await third.ingestor.indexes.imageCount == photos.count)
            let query = try await third.ingestor.resolve(TestPaths.fixture("lossless.webp").path)
            let report = try await third.ingestor.duplicates(of: query, thresholds: .default)
            #expect(report.near.count == 1)
        }
    }

    @Test func pcaReductionStoresSmallerVectorsAndStillFindsNeighbours() async throws {
        try await TestWorkspace.with { workspace in
            _ = await workspace.ingest(try LabelledPhotos.all.map(\.url.path))
            let report = try await workspace.ingestor.indexes.reduce(to: 16, dtype: .float16)
            #expect(report.images == 23 && report.dims == 16 && report.bytesPerImage == 32)
            let cat = ContentHashOf.file(TestPaths.sharedImage("chelsea.png"))
            let stored = try await workspace.workspace.catalog.embedding(sha256: cat, model: "efficientnet-lite0/pca16")
            #expect(stored?.dims == 16 && stored?.dtype == .float16)
            let neighbours = try await workspace.ingestor.similar(to: try await workspace.ingestor.resolve(TestPaths.fixture("progressive.jpg").path), k: 3)
            #expect(neighbours.first?.sha256 == cat, "\(neighbours)")
            // New images after the reduction get reduced vectors too.
            let more = await workspace.ingest([TestPaths.fixture("large-4000.jpg").path])
            #expect(more.first?.status == .new)
            let added = try await workspace.workspace.catalog.embedding(sha256: more[0].sha256!, model: "efficientnet-lite0/pca16")
            #expect(added?.dims == 16)
        }
    }
}

/// The content hash of a file, for expectations.
enum ContentHashOf {
    static func file(_ url: URL) -> String {
        (try? bytes(of: url)).map { Hashing.ContentHash(of: $0).hex } ?? ""
    }
}
