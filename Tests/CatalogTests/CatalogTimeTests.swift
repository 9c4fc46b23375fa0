@testable import Catalog
import Foundation
import Testing

@Suite("Stored time precision")
struct CatalogTimeTests {
    @Test("rounding to microseconds is idempotent across the dates the catalog will see")
    func roundingIsIdempotent() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let date = Date(timeIntervalSince1970: Double.random(in: 0...4_102_444_800, using: &generator))
            let once = CatalogTime.rounded(date)
            #expect(CatalogTime.rounded(once) == once)
            #expect(CatalogTime.date(microseconds: CatalogTime.microseconds(once)) == once)
            #expect(abs(once.timeIntervalSince(date)) <= 0.000_001)
        }
    }

    @Test("records round their times on creation so they compare equal after storage")
    func recordsRound() {
        let date = Date(timeIntervalSince1970: 1_700_000_000.123_456_789)
        let record = PredictionRecord(sha256: "x", model: "m", modelVersion: "1", labels: [], createdAt: date)
        #expect(CatalogTime.microseconds(record.createdAt) == 1_700_000_000_123_457)
        #expect(record.createdAt == CatalogTime.date(microseconds: 1_700_000_000_123_457))
    }
}
