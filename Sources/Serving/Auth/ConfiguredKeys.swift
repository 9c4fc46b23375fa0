import Keys
/// The keys of the configuration file in front of the database's: file keys cannot be revoked
/// with `lenscale keys revoke` (remove them from the file instead), and are listed first.
struct ConfiguredKeys: APIKeyStore {
    let configured: [ServeConfiguration.StaticKey]
    let store: any APIKeyStore

    private var fromFile: [APIKey] {
        configured.map { APIKey(id: $0.id, name: $0.name, scopes: $0.scopes, secretSHA256: $0.secretSHA256) }
    }

    func insert(_ key: APIKey) async throws(APIKeyError) { try await store.insert(key) }

    func key(id: String) async throws(APIKeyError) -> APIKey? {
        if let key = fromFile.first(where: { $0.id == id }) { return key }
        return try await store.key(id: id)
    }

    func list() async throws(APIKeyError) -> [APIKey] { fromFile + (try await store.list()) }

    func revoke(id: String) async throws(APIKeyError) {
        guard !configured.contains(where: { $0.id == id }) else {
            throw .storage("key \(id) comes from the configuration file; remove it there")
        }
        try await store.revoke(id: id)
    }
}
