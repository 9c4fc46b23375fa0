import Foundation

/// Timestamps as both backends store them: whole microseconds since 1970 UTC.
///
/// PostgreSQL's `timestamptz` holds microseconds; SQLite gets an INTEGER of the same unit so the
/// two backends return identical records. Rounding (not truncating) makes the conversion
/// idempotent: a `Date` made from microseconds converts back to the same microseconds despite the
/// binary floating point in between.
package enum CatalogTime {
    package static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
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
