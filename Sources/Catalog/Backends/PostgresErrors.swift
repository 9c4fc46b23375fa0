import PostgresNIO

/// Translates what PostgresNIO throws into `CatalogError`.
package enum PostgresErrors {
    package static func map(_ error: any Error, url: String) -> CatalogError {
        if let error = error as? CatalogError { return error }
        if error is CancellationError { return .cancelled }
        if let error = error as? PostgresTransactionError {
            // The first failure is the cause; a failed ROLLBACK after it only says the connection broke.
            if let cause = error.beginError ?? error.closureError ?? error.commitError {
                return map(cause, url: url)
            }
            return .database("transaction failed: \(String(reflecting: error))")
        }
        if let error = error as? PostgresDecodingError {
            return .corruptRow(table: "unknown", reason: "column '\(error.columnName)' does not decode as \(error.targetType): \(error.code)")
        }
        guard let error = error as? PSQLError else { return .database(String(reflecting: error)) }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = describe(error)
            if state.hasPrefix("23") {
                return .constraint(constraint: error.serverInfo?[.constraintName] ?? "", reason: message)
            }
            // 57014 is both a cancel this task asked for and statement_timeout; 55P03 is lock_timeout.
            if state == "57014" { return Task.isCancelled ? .cancelled : .timedOut(seconds: 0) }
            if state == "55P03" { return .timedOut(seconds: 0) }
            // The server is going away or not back yet (a restart, a failover), or the session
            // was ended for idling in a transaction: all of them pass.
            if state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03" || state == "25P03" {
                return .unreachable(url: url, reason: message)
            }
            if state == "53100" { return .storageFull(message) }
            if state == "22003" || state == "22P02" || state == "22021" {
                return .invalidRecord(message)
            }
            return .database(message)
        case .poolClosed:
            return .closed
        case .clientClosedConnection:
            // Either the catalog was closed, or a deadline closed this call's connection.
            return .unreachable(url: url, reason: "the connection was closed")
        case .queryCancelled:
            return .cancelled
        case .connectionError, .serverClosedConnection, .sslUnsupported, .failedToAddSSLHandler, .uncleanShutdown:
            return .unreachable(url: url, reason: describe(error))
        default:
            return .database(describe(error))
        }
    }

    /// A human reason: PSQLError's `description` is deliberately vague (it may be logged), so the
    /// server's message or the underlying socket error is dug out here; neither holds the password.
    package static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let info = error.serverInfo, let message = info[.message] {
            let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            let detail = info[.detail].map { ": \($0)" } ?? ""
            return message + detail + state
        }
        if let underlying = error.underlying {
            return String(describing: underlying)
        }
        return error.code.description
    }
}
