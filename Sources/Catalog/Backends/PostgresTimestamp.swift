import Foundation
import PostgresNIO

/// A `timestamptz` bound and read as exact microseconds.
///
/// PostgresNIO's own `Date` coding truncates through floating point, so a time could come back
/// one microsecond early; binding the integer that `timestamptz` stores on the wire keeps
/// PostgreSQL records identical to SQLite's.
struct PostgresTimestamp: PostgresNonThrowingEncodable, PostgresDecodable, Sendable {
    /// Microseconds since 1970 UTC, as `CatalogTime` counts.
    let microseconds: Int64

    /// PostgreSQL counts from 2000-01-01 UTC.
    private static let epochOffset: Int64 = 946_684_800 * 1_000_000

    init(microseconds: Int64) { self.microseconds = microseconds }
    init(_ date: Date) { microseconds = CatalogTime.microseconds(date) }

    var date: Date { CatalogTime.date(microseconds: microseconds) }

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeInteger(microseconds - Self.epochOffset)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .timestamptz || type == .timestamp, format == .binary,
              buffer.readableBytes == 8, let value = buffer.readInteger(as: Int64.self)
        else { throw PostgresDecodingError.Code.typeMismatch }
        microseconds = value + Self.epochOffset
    }
}
