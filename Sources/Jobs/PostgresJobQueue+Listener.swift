import Catalog
import Foundation
import Logging
import PostgresNIO

extension PostgresJobQueue {
    /// LISTENs on a dedicated connection until cancelled, reconnecting with a capped backoff
    /// whenever the connection drops (a server restart), and waking every waiter after each
    /// (re)connect since notifications sent while disconnected are lost.
    static func listen(configuration: PostgresCatalog.Configuration, channel: String, logger: Logger,
                       jobs: Wakeups, events: Wakeups) async {
        var delay = 0.1
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: try PostgresConnector.connectionConfiguration(configuration), id: 1, logger: logger)
                do {
                    try await connection.listen(on: channel) { notifications in
                        delay = 0.1
                        await jobs.signal()
                        await events.signal()
                        for try await notification in notifications {
                            if notification.payload == "events" { await events.signal() } else { await jobs.signal() }
                        }
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
}
