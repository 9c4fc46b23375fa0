import Catalog
import Foundation
import TestSupport
import Testing

extension CatalogContractTests {
    @Test("inserting the same sha256 twice keeps one row, the first id and the first metadata", arguments: TestBackend.allCases)
    func insertIsIdempotent(backend: TestBackend) async throws {
        try await backend.withCatalog { catalog in
            let first = try await catalog.insertImage(Samples.image(1, sourceName: "first.jpg"))
            var again = Samples.image(1, sourceName: "second.jpg")
            again.bytes = 99
            let second = try await catalog.insertImage(again)
            #expect(first.inserted)
            #expect(!second.inserted)
            #expect(second.record == first.record)
            #expect(second.record.sourceName == "first.jpg")
            #expect(try await catalog.imageCount() == 1)
            #expect(try await catalog.image(sha256: Samples.sha256(1)) == first.record)
        }
    }

    @Test("50 concurrent inserts of one image store one row and agree on its id", arguments: TestBackend.allCases)
    func concurrentInsertsOfOneImage(backend: TestBackend) async throws {
        try await backend.withCatalog { catalog in
            let results = try await withThrowingTaskGroup(of: (record: ImageRecord, inserted: Bool).self) { group in
                for _ in 0..<50 {
                    group.addTask { try await catalog.insertImage(Samples.image(7)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 50)
            #expect(results.filter(\.inserted).count == 1)
            #expect(Set(results.map(\.record.id)).count == 1)
            #expect(Set(results.map(\.record)).count == 1)
            #expect(try await catalog.imageCount() == 1)
        }
    }

    @Test("every field survives a round trip, including phashes with the top bit set", arguments: TestBackend.allCases)
    func imageRoundTrip(backend: TestBackend) async throws {
        let phashes: [UInt64] = [0, 1, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 0xDEAD_BEEF_0BAD_F00D]
        try await backend.withCatalog { catalog in
            var stored: [ImageRecord] = []
            for (n, phash) in phashes.enumerated() {
                let image = Samples.image(n, phash: phash, sourceName: n == 0 ? nil : "IMG_\(n) ü.jpg")
                let before = Date()
                let record = try await catalog.insertImage(image).record
                #expect(record.phash == phash)
                #expect(record.sha256 == image.sha256 && record.bytes == image.bytes && record.format == image.format)
                #expect(record.width == image.width && record.height == image.height && record.sourceName == image.sourceName)
                #expect(abs(record.createdAt.timeIntervalSince(before)) < 60)
                stored.append(record)
            }
            for record in stored {
                #expect(try await catalog.image(sha256: record.sha256) == record)
            }
            #expect(try await catalog.image(sha256: Samples.sha256(999)) == nil)
            let scanned = try await catalog.phashes(afterID: 0, limit: 100)
            #expect(scanned.map(\.phash) == phashes)
        }
    }

    @Test("images(ids:) returns known ids in id order and leaves out unknown ones", arguments: TestBackend.allCases)
    func imagesByID(backend: TestBackend) async throws {
        try await backend.withCatalog { catalog in
            var records: [ImageRecord] = []
            for n in 0..<5 { records.append(try await catalog.insertImage(Samples.image(n)).record) }
            let wanted = [records[3].id, 987_654, records[0].id, records[3].id, records[4].id]
            let found = try await catalog.images(ids: wanted)
            #expect(found == [records[0], records[3], records[4]])
            #expect(try await catalog.images(ids: []).isEmpty)
        }
    }

    @Test("rows that break the schema's rules are refused with the rule's name", arguments: TestBackend.allCases)
    func constraintViolationsAreTyped(backend: TestBackend) async throws {
        try await backend.withCatalog { catalog in
            var badHash = Samples.image(1)
            badHash.sha256 = "NOT-A-HASH"
            try await expectConstraint("images_sha256_hex") { _ = try await catalog.insertImage(badHash) }

            var badFormat = Samples.image(2)
            badFormat.format = "jpeg2000"
            try await expectConstraint("images_format_known") { _ = try await catalog.insertImage(badFormat) }

            try await expectConstraint("predictions_image") { try await catalog.upsertPrediction(Samples.prediction(3)) }
            try await expectConstraint("embeddings_image") { try await catalog.upsertEmbedding(Samples.embedding(3, dims: 4)) }
            #expect(try await catalog.imageCount() == 0)
        }
    }
}

/// Expects `body` to fail with `CatalogError.constraint` naming `name`, and the message to say what to do.
func expectConstraint(
    _ name: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async throws {
    let error = await #expect(throws: CatalogError.self, sourceLocation: sourceLocation) { try await body() }
    guard case .constraint(let constraint, _)? = error else {
        Issue.record("expected a constraint error, got \(String(describing: error))", sourceLocation: sourceLocation)
        return
    }
    #expect(constraint == name, sourceLocation: sourceLocation)
    #expect(error?.description.contains(name) == true, sourceLocation: sourceLocation)
}
