import Clocks
import Foundation
import Logging
import PostgresNIO

/// Builds PostgresNIO configurations from a `PostgresCatalog.Configuration`, and probes the server.
package enum PostgresConnector {
    package static func clientConfiguration(_ configuration: PostgresCatalog.Configuration) throws(CatalogError) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch configuration.tls {
        case .disable: .disable
        case .prefer: .prefer(tlsConfiguration(configuration.tls))
        case .require, .verifyCA, .verifyFull: .require(tlsConfiguration(configuration.tls))
        }
        var client = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database, tls: tls)
        client.options.maximumConnections = configuration.maximumConnections
        client.options.connectTimeout = configuration.connectTimeout
        // Idle pooled connections are pinged, so one the server (or a restart) dropped is found
        // and replaced before a call leases it.
        client.options.keepAliveBehavior = .init(frequency: configuration.timeouts.keepAlive)
        client.options.additionalStartupParameters = startupParameters(configuration)
        return client
    }

    /// Opens and closes one connection, mapping any failure to `.unreachable`.
    package static func probe(_ configuration: PostgresCatalog.Configuration, logger: Logger) async throws(CatalogError) {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try connectionConfiguration(configuration), id: 0, logger: logger)
            try? await connection.close()
        } catch let error as CatalogError {
            throw error
        } catch {
            throw .unreachable(url: configuration.description, reason: PostgresErrors.describe(error))
        }
    }

    package static func connectionConfiguration(_ configuration: PostgresCatalog.Configuration) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = switch configuration.tls {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: tlsConfiguration(configuration.tls)))
        case .require, .verifyCA, .verifyFull: .require(try NIOSSLContext(configuration: tlsConfiguration(configuration.tls)))
        }
        var connection = PostgresConnection.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database, tls: tls)
        connection.options.connectTimeout = .milliseconds(Int64(configuration.connectTimeout.milliseconds))
        connection.options.additionalStartupParameters = startupParameters(configuration)
        return connection
    }

    /// `search_path` at startup puts every pooled connection in the catalog's schema without a
    /// SET per lease; `application_name` makes Lenscale's sessions visible in pg_stat_activity.
    /// The server-side limits travel the same way (the server takes any setting in the startup
    /// packet), so every session has them from its first statement, with no round trip.
    private static func startupParameters(_ configuration: PostgresCatalog.Configuration) -> [(String, String)] {
        let timeouts = configuration.timeouts
        let keepAlive = max(1, timeouts.keepAlive.milliseconds / 1000)
        var parameters = [
            ("application_name", "lenscale"),
            ("statement_timeout", "\(timeouts.statement.milliseconds)"),
            ("lock_timeout", "\(timeouts.lock.milliseconds)"),
            ("idle_in_transaction_session_timeout", "\(timeouts.idleInTransaction.milliseconds)"),
            ("tcp_keepalives_idle", "\(keepAlive)"),
            ("tcp_keepalives_interval", "\(keepAlive)"),
            ("tcp_keepalives_count", "3"),
        ]
        if let schema = configuration.schema {
            parameters.append(("search_path", schema))
        }
        return parameters
    }

    /// libpq's sslmode semantics: only the verify modes check certificates.
    private static func tlsConfiguration(_ mode: PostgresCatalog.TLSMode) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case .disable, .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        return tls
    }
}
