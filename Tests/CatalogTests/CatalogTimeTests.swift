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

    @Test("times no backend can store are clamped to years 1...9999, never trapped on", arguments: [
        1e300, -1e300, Double.infinity, -Double.infinity, Double.nan, 1e19, -1e19,
    ])
    func extremeTimesClamp(seconds: Double) {
        let micros = CatalogTime.microseconds(Date(timeIntervalSince1970: seconds))
        #expect(micros >= -62_135_596_800_000_000 && micros <= 253_402_300_799_000_000)
        if seconds > 0 { #expect(micros == 253_402_300_799_000_000) }
        if seconds < 0 { #expect(micros == -62_135_596_800_000_000) }
    }

    @Test("records round their times on creation so they compare equal after storage")
    func recordsRound() {
        let date = Date(timeIntervalSince1970: 1_700_000_000.123_456_789)
        let record = PredictionRecord(sha256: "x", model: "m", modelVersion: "1", labels: [], createdAt: date)
        #expect(CatalogTime.microseconds(record.createdAt) == 1_700_000_000_123_457)
        #expect(record.createdAt == CatalogTime.date(microseconds: 1_700_000_000_123_457))
    }
}
