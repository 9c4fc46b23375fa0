import Catalog
import Foundation
import PostgresNIO

/// API keys in the PostgreSQL catalog, shared by every replica.
struct PostgresAPIKeyStore: APIKeyStore {
    let catalog: PostgresCatalog

    func insert(_ key: APIKey) async throws(APIKeyError) {
        let scopes = key.scopes.stored
        do {
            try await catalog.withConnection { connection in
                try await connection.query(
                    """
                    INSERT INTO api_keys (id, name, secret_sha256, scopes, created_at)
                    VALUES (\(key.id), \(key.name), \(key.secretSHA256), \(scopes), \(key.createdAt))
                    """, logger: catalog.logger)
            }
        } catch {
            throw .storage("\(error)")
        }
    }

    func key(id: String) async throws(APIKeyError) -> APIKey? {
        try await fetch("SELECT id, name, secret_sha256, scopes, created_at, revoked_at FROM api_keys WHERE id = \(id)").first
    }

    func list() async throws(APIKeyError) -> [APIKey] {
        try await fetch("SELECT id, name, secret_sha256, scopes, created_at, revoked_at FROM api_keys ORDER BY created_at, id")
    }

    func revoke(id: String) async throws(APIKeyError) {
        let found: [String]
        do {
            found = try await catalog.fetch(
                "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = \(id) RETURNING id"
            ) { row in try row.decode(String.self) }
        } catch {
            throw .storage("\(error)")
        }
        guard !found.isEmpty else { throw .notFound(id: id) }
    }

    private func fetch(_ query: PostgresQuery) async throws(APIKeyError) -> [APIKey] {
        do {
            return try await catalog.fetch(query) { row in
                let (id, name, secret, scopes, created, revoked) = try row.decode((String, String, String, String, Date, Date?).self)
                return APIKey(id: id, name: name, scopes: (try? Scope.parseList(scopes)) ?? [], secretSHA256: secret,
                              createdAt: created, revokedAt: revoked)
            }
        } catch {
            throw .storage("\(error)")
        }
    }
}
