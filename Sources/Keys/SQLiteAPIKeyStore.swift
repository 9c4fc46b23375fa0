import Catalog
import Foundation
import GRDB

/// API keys in the embedded SQLite catalog.
struct SQLiteAPIKeyStore: APIKeyStore {
    let catalog: SQLiteCatalog

    func insert(_ key: APIKey) async throws(APIKeyError) {
        do {
            try await catalog.write { db in
                try db.execute(
                    sql: "INSERT INTO api_keys (id, name, secret_sha256, scopes, created_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [key.id, key.name, key.secretSHA256, key.scopes.stored, CatalogTime.microseconds(key.createdAt)])
            }
        } catch {
            throw .storage("\(error)")
        }
    }

    func key(id: String) async throws(APIKeyError) -> APIKey? {
        try await fetch("SELECT id, name, secret_sha256, scopes, created_at, revoked_at FROM api_keys WHERE id = ?", [id]).first
    }

    func list() async throws(APIKeyError) -> [APIKey] {
        try await fetch("SELECT id, name, secret_sha256, scopes, created_at, revoked_at FROM api_keys ORDER BY created_at, id", [])
    }

    func revoke(id: String) async throws(APIKeyError) {
        let changed: Int
        do {
            changed = try await catalog.write { db in
                try db.execute(
                    sql: "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
                    arguments: [CatalogTime.microseconds(Date()), id])
                return db.changesCount
            }
        } catch {
            throw .storage("\(error)")
        }
        guard changed > 0 else { throw .notFound(id: id) }
    }

    private func fetch(_ sql: String, _ arguments: [String]) async throws(APIKeyError) -> [APIKey] {
        do {
            return try await catalog.read { db in
                try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                    let revoked: Int64? = row[5]
                    return APIKey(
                        id: row[0], name: row[1], scopes: (try? Scope.parseList(row[3])) ?? [], secretSHA256: row[2],
                        createdAt: CatalogTime.date(microseconds: row[4]),
                        revokedAt: revoked.map { CatalogTime.date(microseconds: $0) })
                }
            }
        } catch {
            throw .storage("\(error)")
        }
    }
}
