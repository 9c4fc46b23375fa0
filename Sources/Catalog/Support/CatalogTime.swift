import Foundation

/// Timestamps as both backends store them: whole microseconds since 1970 UTC.
///
/// PostgreSQL's `timestamptz` holds microseconds; SQLite gets an INTEGER of the same unit so the
/// two backends return identical records. Rounding (not truncating) makes the conversion
/// idempotent: a `Date` made from microseconds converts back to the same microseconds despite the
/// binary floating point in between.
package enum CatalogTime {
    /// The earliest and latest times stored: years 1 to 9999, what ISO 8601 and both backends
    /// can show. Times outside (from a client's `created_after=1e300`) are clamped, not trapped on.
    package static let range: ClosedRange<Double> = -62_135_596_800...253_402_300_799

    package static func microseconds(_ date: Date) -> Int64 {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite else { return seconds < 0 ? Int64(range.lowerBound) * 1_000_000 : Int64(range.upperBound) * 1_000_000 }
        return Int64((min(max(seconds, range.lowerBound), range.upperBound) * 1_000_000).rounded())
    }

    package static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    package static func rounded(_ date: Date) -> Date {
        self.date(microseconds: microseconds(date))
    }

    /// Now, at stored precision; records built from it need no further rounding.
    package static func now() -> Date {
        rounded(Date())
    }
}
