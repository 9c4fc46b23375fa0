import Catalog
import Foundation
import TestSupport
import Testing

extension CatalogContractTests {
    @Test("record(...) writes the image, its predictions and its embeddings together", arguments: TestBackend.allCases)
    func recordWritesEverything(backend: TestBackend) async throws {
        try await backend.withCatalog { catalog in
            let result = try await catalog.record(
                image: Samples.image(1), predictions: [Samples.prediction(1)], embeddings: [Samples.embedding(1)])
            #expect(result.inserted)
            #expect(try await catalog.image(sha256: Samples.sha256(1)) == result.record)
            #expect(try await catalog.predictions(sha256: Samples.sha256(1)) == [Samples.prediction(1)])
            #expect(try await catalog.embedding(sha256: Samples.sha256(1), model: "efficientnet-lite0") == Samples.embedding(1))

            // Re-ingesting with another model keeps the image row and adds the new results.
            let again = try await catalog.record(
                image: Samples.image(1), predictions: [Samples.prediction(1, model: "b0")],
                embeddings: [Samples.embedding(1, model: "b0", dims: 16, dtype: .float16)])
            #expect(!again.inserted)
            #expect(again.record == result.record)
            #expect(try await catalog.predictions(sha256: Samples.sha256(1)).count == 2)
            #expect(try await catalog.embedding(sha256: Samples.sha256(1), model: "b0")?.dims == 16)
        }
    }

    @Test("a rejected row mid-transaction leaves no trace of the image or its other parts", arguments: TestBackend.allCases)
    func recordIsAtomic(backend: TestBackend) async throws {
        try await backend.withCatalog { catalog in
            let good = Samples.embedding(1, model: "good", dims: 8)
            let bad = EmbeddingRecord(sha256: Samples.sha256(1), model: "bad", dims: 8, dtype: .float32, vector: Data(count: 31))
            try await expectConstraint("embeddings_vector_length") {
                _ = try await catalog.record(image: Samples.image(1), predictions: [Samples.prediction(1)], embeddings: [good, bad])
            }
            #expect(try await catalog.image(sha256: Samples.sha256(1)) == nil)
            #expect(try await catalog.imageCount() == 0)
            #expect(try await catalog.predictions(sha256: Samples.sha256(1)).isEmpty)
            #expect(try await catalog.embedding(sha256: Samples.sha256(1), model: "good") == nil)

            // The failed transaction left the catalog usable.
            #expect(try await catalog.record(image: Samples.image(1), predictions: [], embeddings: [good]).inserted)
        }
    }

    @Test("record(...) refuses parts that belong to another image", arguments: TestBackend.allCases)
    func recordRefusesStrayParts(backend: TestBackend) async throws {
        try await backend.withCatalog { catalog async throws in
            await #expect(throws: CatalogError.self) {
                _ = try await catalog.record(image: Samples.image(1), predictions: [Samples.prediction(2)], embeddings: [])
            }
            await #expect(throws: CatalogError.self) {
                _ = try await catalog.record(image: Samples.image(1), predictions: [], embeddings: [Samples.embedding(2, dims: 4)])
            }
            #expect(try await catalog.imageCount() == 0)
        }
    }
}
