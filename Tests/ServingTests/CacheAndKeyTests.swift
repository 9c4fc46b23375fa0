import Classification
import Foundation
import Hashing
import Ingest
@testable import Serving
import Keys
import Testing
import TestSupport

@Suite("prediction cache and API keys")
struct CacheAndKeyTests {
    func entry(_ sha: Character, labels: Int = 5) -> (CacheKey, CachedPrediction) {
        let sha256 = String(repeating: sha, count: 64)
        let prediction = Prediction(sha256: sha256, model: "m", modelVersion: "v",
                                    labels: (0..<labels).map { Label(index: $0, name: "class \($0)", score: 0.1) })
        return (CacheKey(sha256: sha256, model: "m", version: "v"), CachedPrediction(prediction))
    }

    @Test("the cache stays within its byte budget and evicts the least recently used")
    func lruEviction() async {
        let (a, va) = entry("a"), (b, vb) = entry("b"), (c, vc) = entry("c")
        // Room for two entries, not three.
        let cache = PredictionCache(capacityBytes: va.cost + vb.cost + vc.cost / 2)
        await cache.insert(va, for: a)
        await cache.insert(vb, for: b)
        #expect(await cache.value(for: a) != nil)  // a is now more recent than b
        await cache.insert(vc, for: c)
        #expect(await cache.usedBytes <= cache.capacityBytes)
        #expect(await cache.value(for: b) == nil, "b was least recently used and should be gone")
        #expect(await cache.value(for: a)?.prediction.sha256 == a.sha256)
        #expect(await cache.value(for: c) != nil)
        #expect(await cache.hits == 3)
        #expect(await cache.misses == 1)
    }

    @Test("an entry larger than the whole cache is not kept")
    func oversizedEntry() async {
        let (a, va) = entry("a", labels: 10)
        let cache = PredictionCache(capacityBytes: 10)
        await cache.insert(va, for: a)
        #expect(await cache.count == 0)
    }

    @Test("the write-behind buffer is bounded in upload bytes: what does not fit is dropped and counted, what fits is written")
    func writeBehindBytes() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await Workspace.with(WorkspaceLocation(dataDirectory: directory)) { workspace in
            let writer = CatalogWriteBehind(catalog: workspace.catalog, store: workspace.store, capacityBytes: 2_500)
            func entry(_ byte: UInt8) -> CatalogWriteBehind.Entry {
                let bytes = [UInt8](repeating: byte, count: 1_000)
                let sha256 = ContentHash(of: bytes).hex
                return CatalogWriteBehind.Entry(
                    bytes: bytes, header: .init(format: "png", width: 1, height: 1),
                    codes: PerceptualCodes(full: PerceptualHash(0), crops: Array(repeating: PerceptualHash(0), count: 5)),
                    prediction: Prediction(sha256: sha256, model: "m", modelVersion: "v", labels: []))
            }
            // Not running: entries wait in the buffer, as behind a stalled catalog.
            for byte in UInt8(1)...4 { await writer.enqueue(entry(byte)) }
            #expect(await writer.dropped == 2, "two 1,000-byte entries fit in 2,500 bytes, the others do not")
            await writer.flush()
            #expect(await writer.written == 2)
            await writer.enqueue(entry(5))
            #expect(await writer.dropped == 2, "flushed bytes are free again")
            await writer.flush()
            #expect(await writer.written == 3)
        }
    }

    @Test("keys: generated tokens parse, match only their secret, and need scopes")
    func keys() throws {
        let (key, token) = try APIKey.generate(name: "t", scopes: [.read])
        let (id, secret) = try APIKey.parse(token: token)
        #expect(id == key.id)
        #expect(key.matches(secret: secret))
        #expect(!key.matches(secret: String(secret.reversed())))
        #expect(!token.contains(key.secretSHA256))
        #expect(throws: APIKeyError.malformed) { try APIKey.parse(token: "lsk_short_key") }
        #expect(throws: APIKeyError.noScopes) { try APIKey.generate(name: "t", scopes: []) }
        #expect(throws: APIKeyError.unknownScope("reed")) { try Scope.parseList("read,reed") }
        #expect(try Scope.parseList("classify, read") == [.classify, .read])
    }
}
