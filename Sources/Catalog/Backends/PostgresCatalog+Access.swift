import Clocks
import PostgresNIO
import Synchronization

extension PostgresCatalog {
    /// Runs `body` on one pooled connection, outside a transaction (each statement autocommits),
    /// under the client-side deadline (`timeouts.call`, or `deadline` for work known to run
    /// long). Waiting for a pooled connection counts against the deadline.
    ///
    /// On expiry, or when the calling task is cancelled, the connection is closed, which fails
    /// whatever PostgresNIO still has pending on it, and the call throws at once: `.timedOut` or
    /// `.cancelled`, both safe to retry for idempotent work. The pool replaces the connection.
    package func withConnection<T: Sendable>(
        deadline: Duration? = nil, _ body: sending @escaping (PostgresConnection) async throws -> T
    ) async throws(CatalogError) -> T {
        guard !isClosed else { throw .closed }
        let limit = deadline ?? configuration.timeouts.call
        let leased = LeasedConnection()
        let client = client
        do {
            return try await Expiring.run(within: limit, onExpiry: { leased.close() }) {
                try await client.withConnection { connection in
                    try await leased.hold(connection)
                    do {
                        let value = try await body(connection)
                        leased.release()
                        return value
                    } catch {
                        await leased.release(afterFailureOn: connection)
                        throw error
                    }
                }
            }
        } catch let expired as Expiring.Expired {
            logger.warning("a PostgreSQL call passed its deadline; its connection was closed",
                           metadata: ["deadline_s": "\(expired.limit)"])
            throw .timedOut(seconds: Double(expired.limit.milliseconds) / 1000)
        } catch {
            throw PostgresErrors.map(error, url: configuration.description)
        }
    }

    /// Runs `body` in a READ COMMITTED transaction on one pooled connection, under the same
    /// deadline as `withConnection`: COMMIT when it returns, ROLLBACK when it throws.
    ///
    /// Why not PostgresNIO's `withTransaction`: it always sends ROLLBACK or COMMIT on the same
    /// connection, even one the server has just closed, and reports three errors for one cause.
    /// Here a closed connection gets no statement at all (the server rolls back a transaction
    /// whose session ends), and the caller sees the first error only. When COMMIT itself is
    /// lost with its connection the outcome is unknown, as with any database: callers retry
    /// idempotent work and nothing else.
    package func transaction<T: Sendable>(
        deadline: Duration? = nil, _ body: sending @escaping (PostgresConnection) async throws -> T
    ) async throws(CatalogError) -> T {
        let (logger, url) = (logger, configuration.description)
        return try await withConnection(deadline: deadline) { connection in
            try await connection.query("BEGIN", logger: logger)
            let value: T
            do {
                value = try await body(connection)
            } catch {
                if !connection.isClosed { _ = try? await connection.query("ROLLBACK", logger: logger) }
                throw error
            }
            guard !connection.isClosed else { throw CatalogError.unreachable(url: url, reason: "the connection closed before COMMIT") }
            try await connection.query("COMMIT", logger: logger)
            return value
        }
    }

    /// All rows of one query, decoded by `decode`.
    package func fetch<T: Sendable>(
        _ query: PostgresQuery, deadline: Duration? = nil, _ decode: @escaping @Sendable (PostgresRow) throws -> T
    ) async throws(CatalogError) -> [T] {
        let logger = logger
        return try await withConnection(deadline: deadline) { connection in
            try await Self.fetch(query, on: connection, logger: logger, decode)
        }
    }

    package static func fetch<T>(
        _ query: PostgresQuery, on connection: PostgresConnection, logger: Logger, _ decode: (PostgresRow) throws -> T
    ) async throws -> [T] {
        var values: [T] = []
        for try await row in try await connection.query(query, logger: logger) {
            values.append(try decode(row))
        }
        return values
    }
}

/// The connection a call holds, so its deadline can close it from outside the call.
///
/// Why the expired state: the deadline can pass while the call still waits for the pool. A
/// connection the pool hands over after that would otherwise run the call's statement with
/// nobody waiting for it (for as long as `statement_timeout` allows), holding a pooled
/// connection the next calls need. It is closed as it arrives instead, and the body never runs.
final class LeasedConnection: Sendable {
    private enum State {
        case waiting
        case holding(PostgresConnection)
        case expired
    }

    private let state = Mutex<State>(.waiting)

    /// Takes `connection` for the call, or closes it and throws when the deadline has passed.
    func hold(_ connection: PostgresConnection) async throws {
        let late = state.withLock { state -> Bool in
            if case .expired = state { return true }
            state = .holding(connection)
            return false
        }
        if late {
            connection.close().whenComplete { _ in }
            try? await connection.closeFuture.get()
            throw CancellationError()
        }
    }

    /// The body has returned; the connection goes back to the pool.
    func release() {
        state.withLock { state in
            if case .holding = state { state = .waiting }
        }
    }

    /// The body failed. Why wait for a closing connection to close: the pool marks a connection
    /// dead when its close completes, and one handed back before that is leased again by the
    /// next call, which then fails with "connection closed", or sends a query PostgresNIO
    /// drops. This call has failed already, so waiting costs no caller anything.
    func release(afterFailureOn connection: PostgresConnection) async {
        let expired = state.withLock { state -> Bool in
            if case .holding = state { state = .waiting }
            if case .expired = state { return true }
            return false
        }
        if expired || connection.isClosed {
            try? await connection.closeFuture.get()
        }
    }

    /// The deadline passed or the caller went away: closes the held connection, if any (its
    /// pending queries fail and the pool drops it), and any connection handed over later.
    func close() {
        let held = state.withLock { state -> PostgresConnection? in
            defer { state = .expired }
            if case .holding(let connection) = state { return connection }
            return nil
        }
        held?.close().whenComplete { _ in }
    }
}
