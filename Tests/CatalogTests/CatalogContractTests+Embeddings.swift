import Catalog
import Foundation
import TestSupport
import Testing

extension CatalogContractTests {
    @Test("float32 embeddings round-trip exactly and float16 ones within half precision", arguments: TestBackend.allCases)
    func embeddingsRoundTrip(backend: TestBackend) async throws {
        try await backend.withCatalog { catalog in
            _ = try await catalog.insertImage(Samples.image(1))
            let floats = Samples.floats(count: 1280)

            let wide = EmbeddingRecord(sha256: Samples.sha256(1), model: "efficientnet-lite0", floats: floats)
            try await catalog.upsertEmbedding(wide)
            let readWide = try #require(try await catalog.embedding(sha256: wide.sha256, model: wide.model))
            #expect(readWide == wide)
            #expect(readWide.floats == floats)
            #expect(readWide.dims == 1280 && readWide.dtype == .float32 && readWide.vector.count == 5120)

            let half = EmbeddingRecord(sha256: Samples.sha256(1), model: "efficientnet-lite0/pca512", floats: Array(floats.prefix(512)), dtype: .float16)
            try await catalog.upsertEmbedding(half)
            let readHalf = try #require(try await catalog.embedding(sha256: half.sha256, model: half.model))
            #expect(readHalf == half)
            #expect(readHalf.vector.count == 1024)
            for (stored, original) in zip(readHalf.floats, floats.prefix(512)) {
                // binary16 keeps 11 significant bits: relative error at most 2^-11.
                #expect(abs(stored - original) <= max(abs(original) * 0x1p-11, 0x1p-24))
            }

            let replacement = EmbeddingRecord(sha256: Samples.sha256(1), model: "efficientnet-lite0", floats: [1, 2, 3])
            try await catalog.upsertEmbedding(replacement)
            #expect(try await catalog.embedding(sha256: wide.sha256, model: wide.model) == replacement)
            #expect(try await catalog.embedding(sha256: wide.sha256, model: "missing") == nil)
        }
    }

    @Test("a vector whose length does not match dims and dtype is refused", arguments: TestBackend.allCases)
    func vectorLengthIsChecked(backend: TestBackend) async throws {
        try await backend.withCatalog { catalog in
            _ = try await catalog.insertImage(Samples.image(1))
            let short = EmbeddingRecord(
                sha256: Samples.sha256(1), model: "m", dims: 4, dtype: .float16, vector: Data(count: 6))
            try await expectConstraint("embeddings_vector_length") { try await catalog.upsertEmbedding(short) }
            #expect(try await catalog.embedding(sha256: Samples.sha256(1), model: "m") == nil)
        }
    }
}
