import Catalog
import Clocks
import Foundation
import Logging
import PostgresNIO

extension PostgresJobQueue {
    /// LISTENs on a dedicated connection until cancelled, reconnecting with a capped backoff
    /// whenever the connection drops (a server restart), and waking every waiter after each
    /// (re)connect since notifications sent while disconnected are lost.
    ///
    /// A LISTEN connection only receives, so a server that vanished without closing it (a
    /// failover, a partition, a paused server) would look like a quiet one for good and wake-ups
    /// would silently fall back to polling. A ping every `keepAlive` interval, under a deadline
    /// of the same length, notices that: the connection is closed and opened again.
    static func listen(configuration: PostgresCatalog.Configuration, channel: String, logger: Logger,
                       jobs: Wakeups, events: Wakeups) async {
        var delay = 0.1
        let interval = configuration.timeouts.keepAlive
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: try PostgresConnector.connectionConfiguration(configuration), id: 1, logger: logger)
                delay = 0.1
                do {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            try await connection.listen(on: channel) { notifications in
                                await jobs.signal()
                                await events.signal()
                                for try await notification in notifications {
                                    if notification.payload == "events" { await events.signal() } else { await jobs.signal() }
                                }
                            }
                        }
                        group.addTask { try await ping(connection, every: interval, logger: logger) }
                        // Whichever ends first (the LISTEN failing, or a ping that got no answer)
                        // ends the connection; the other follows it.
                        defer { group.cancelAll() }
                        try await group.next()
                    }
                } catch {
                    if !Task.isCancelled {
                        logger.warning("the job queue's LISTEN connection dropped; reconnecting", metadata: ["error": "\(PostgresErrors.describe(error))"])
                    }
                }
                try? await connection.close()
            } catch {
                if !Task.isCancelled {
                    logger.debug("cannot open the LISTEN connection yet", metadata: ["error": "\(PostgresErrors.describe(error))"])
                }
            }
            guard !Task.isCancelled else { return }
            try? await Task.sleep(for: .seconds(delay))
            delay = min(delay * 2, 2)
        }
    }

    /// Pings until cancelled; throws (after closing the connection) when a ping fails or gets no
    /// answer within one interval.
    static func ping(_ connection: PostgresConnection, every interval: Duration, logger: Logger) async throws {
        struct NoAnswer: Error, CustomStringConvertible {
            var description: String { "the server did not answer a ping" }
        }
        while true {
            try await Task.sleep(for: interval)
            do {
                try await Expiring.run(within: interval, onExpiry: { connection.close().whenComplete { _ in } }) {
                    _ = try await connection.query("SELECT 1", logger: logger).collect()
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                connection.close().whenComplete { _ in }
                throw NoAnswer()
            }
        }
    }
}
