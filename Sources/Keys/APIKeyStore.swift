import Catalog
import Foundation

/// Where API keys live: the catalog's own database, so every replica sees a new or revoked key.
///
/// A protocol at the seam, with the embedded and the scale-out implementation side by side, like
/// the catalog it rides on; `APIKeyStores.open(on:)` picks by the catalog's backend.
public protocol APIKeyStore: Sendable {
    func insert(_ key: APIKey) async throws(APIKeyError)
    func key(id: String) async throws(APIKeyError) -> APIKey?
    /// All keys, revoked ones included, oldest first.
    func list() async throws(APIKeyError) -> [APIKey]
    /// Marks the key revoked; throws `.notFound` for an unknown id. Revoking twice is harmless.
    func revoke(id: String) async throws(APIKeyError)
}

public enum APIKeyStores {
    /// The key store on `catalog`'s database.
    public static func open(on catalog: any Catalog) throws(APIKeyError) -> any APIKeyStore {
        if let sqlite = catalog as? SQLiteCatalog { return SQLiteAPIKeyStore(catalog: sqlite) }
        if let postgres = catalog as? PostgresCatalog { return PostgresAPIKeyStore(catalog: postgres) }
        throw .storage("API keys live on the SQLite or PostgreSQL catalog, not on \(type(of: catalog))")
    }
}
