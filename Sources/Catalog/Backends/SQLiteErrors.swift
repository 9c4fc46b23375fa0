import GRDB

/// Translates what GRDB and SQLite throw into `CatalogError`.
package enum SQLiteErrors {
    package static func map(_ error: any Error, context: String? = nil) -> CatalogError {
        if let error = error as? CatalogError { return error }
        if error is CancellationError { return .cancelled }
        if error is RowDecodingError { return .corruptRow(table: "unknown", reason: "\(error)") }
        guard let error = error as? DatabaseError else {
            return .database(prefixed(context, "\(error)"))
        }
        let message = error.message ?? "\(error)"
        switch error.resultCode {
        case .SQLITE_CONSTRAINT:
            return .constraint(constraint: constraintName(error), reason: message)
        case .SQLITE_MISUSE where message.contains("closed"):
            return .closed
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return .database(prefixed(context,
                "the database file is locked by another process for longer than the busy timeout (\(message)); "
                    + "check for a stuck lenscale process"))
        case .SQLITE_INTERRUPT:
            return .cancelled
        case .SQLITE_FULL:
            return .storageFull(prefixed(context, message))
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return .database(prefixed(context, "the file is damaged or not a SQLite database (\(message)); restore it from a backup"))
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM:
            return .database(prefixed(context, "\(message); check that the file and its folder are writable"))
        default:
            return .database(prefixed(context, message))
        }
    }

    /// The schema's constraint name, recovered from SQLite's message ("CHECK constraint failed:
    /// embeddings_vector_length", "UNIQUE constraint failed: images.sha256") or, for foreign
    /// keys, where SQLite names nothing, from the table the failing statement wrote.
    static func constraintName(_ error: DatabaseError) -> String {
        let message = error.message ?? ""
        if message.hasPrefix("CHECK constraint failed: ") {
            return String(message.dropFirst("CHECK constraint failed: ".count))
        }
        if message.hasPrefix("FOREIGN KEY constraint failed") {
            let sql = error.sql ?? ""
            if sql.contains("INTO predictions") { return "predictions_image" }
            if sql.contains("INTO embeddings") { return "embeddings_image" }
            return ""
        }
        if message.hasPrefix("UNIQUE constraint failed: ") {
            return String(message.dropFirst("UNIQUE constraint failed: ".count))
        }
        return ""
    }

    private static func prefixed(_ context: String?, _ message: String) -> String {
        context.map { "\($0): \(message)" } ?? message
    }
}
