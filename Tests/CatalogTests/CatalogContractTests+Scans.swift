import Catalog
import Foundation
import TestSupport
import Testing

extension CatalogContractTests {
    @Test("paged scans return every row exactly once, in id order", arguments: TestBackend.allCases)
    func pagedScansAreComplete(backend: TestBackend) async throws {
        try await backend.withCatalog { catalog in
            var ids: [Int64] = []
            var embedded: [Int64] = []
            for n in 0..<23 {
                // Every third image has no embedding for the scanned model, one has only another model's.
                let embeddings = n % 3 == 0 ? [] : [Samples.embedding(n, model: n == 4 ? "other" : "scan", dims: 8)]
                let record = try await catalog.record(image: Samples.image(n), predictions: [], embeddings: embeddings).record
                ids.append(record.id)
                if !embeddings.isEmpty && n != 4 { embedded.append(record.id) }
            }

            var scannedPhashes: [Int64] = []
            var cursor: Int64 = 0
            while true {
                let page = try await catalog.phashes(afterID: cursor, limit: 5)
                #expect(page.count <= 5)
                guard let last = page.last else { break }
                scannedPhashes += page.map(\.id)
                cursor = last.id
            }
            #expect(scannedPhashes == ids)
            #expect(ids == ids.sorted())

            var scannedEmbeddings: [Int64] = []
            cursor = 0
            while true {
                let page = try await catalog.embeddings(model: "scan", afterID: cursor, limit: 4)
                guard let last = page.last else { break }
                for (id, record) in page {
                    #expect(record.model == "scan" && record.dims == 8)
                    #expect(try await catalog.images(ids: [id]).first?.sha256 == record.sha256)
                }
                scannedEmbeddings += page.map(\.id)
                cursor = last.id
            }
            #expect(scannedEmbeddings == embedded)
        }
    }

    @Test("a page limit outside 1...100000 is refused", arguments: TestBackend.allCases)
    func pageLimitIsChecked(backend: TestBackend) async throws {
        try await backend.withCatalog { catalog async throws in
            await #expect(throws: CatalogError.self) { _ = try await catalog.phashes(afterID: 0, limit: 0) }
            await #expect(throws: CatalogError.self) { _ = try await catalog.embeddings(model: "m", afterID: 0, limit: -1) }
            #expect(try await catalog.phashes(afterID: 0, limit: 1).isEmpty)
        }
    }
}
