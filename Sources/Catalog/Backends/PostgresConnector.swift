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
        let timeout = configuration.connectTimeout.components
        connection.options.connectTimeout = .nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000)
        connection.options.additionalStartupParameters = startupParameters(configuration)
        return connection
    }

    /// `search_path` at startup puts every pooled connection in the catalog's schema without a
    /// SET per lease; `application_name` makes Lenscale's sessions visible in pg_stat_activity.
    private static func startupParameters(_ configuration: PostgresCatalog.Configuration) -> [(String, String)] {
        var parameters = [("application_name", "lenscale")]
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
