import Catalog
import Foundation
import TestSupport
import Testing

extension CatalogContractTests {
    @Test("predictions upsert per (image, model, version) and read back unchanged", arguments: TestBackend.allCases)
    func predictionsUpsertAndReadBack(backend: TestBackend) async throws {
        try await backend.withCatalog { catalog in
            _ = try await catalog.insertImage(Samples.image(1))
            let original = Samples.prediction(1)
            try await catalog.upsertPrediction(original)
            #expect(try await catalog.prediction(sha256: original.sha256, model: original.model, modelVersion: "1") == original)

            let replaced = PredictionRecord(
                sha256: original.sha256, model: original.model, modelVersion: "1",
                labels: [StoredLabel(index: 1, name: "goldfish, Carassius auratus", score: 0.999_999)],
                createdAt: Date(timeIntervalSince1970: 1_800_000_000.5))
            try await catalog.upsertPrediction(replaced)
            #expect(try await catalog.prediction(sha256: original.sha256, model: original.model, modelVersion: "1") == replaced)

            let otherVersion = Samples.prediction(1, version: "2")
            let otherModel = Samples.prediction(1, model: "efficientnet-b0", version: "1")
            try await catalog.upsertPrediction(otherVersion)
            try await catalog.upsertPrediction(otherModel)
            #expect(try await catalog.predictions(sha256: original.sha256) == [otherModel, replaced, otherVersion])
            #expect(try await catalog.prediction(sha256: original.sha256, model: "missing", modelVersion: "1") == nil)
            #expect(try await catalog.predictions(sha256: Samples.sha256(2)).isEmpty)
        }
    }

    @Test("a label score that JSON cannot hold is refused before anything is written", arguments: TestBackend.allCases)
    func nonFiniteScoreIsRefused(backend: TestBackend) async throws {
        try await backend.withCatalog { catalog async throws in
            let bad = PredictionRecord(
                sha256: Samples.sha256(1), model: "m", modelVersion: "1",
                labels: [StoredLabel(index: 0, name: "nan", score: .nan)])
            await #expect(throws: CatalogError.self) {
                _ = try await catalog.record(image: Samples.image(1), predictions: [bad], embeddings: [])
            }
            #expect(try await catalog.imageCount() == 0)
        }
    }
}
