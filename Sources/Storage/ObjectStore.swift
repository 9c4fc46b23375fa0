/// Where Lenscale keeps image bytes: a flat namespace of keys, mostly content addresses.
///
/// Stores are content-addressed first: the usual key is the lowercase hex SHA-256 of the bytes
/// (`ObjectKey.contentKey(for:)`), so writing the same photo twice is free and never races. Named
/// keys such as `photos/2024/a.jpg` exist for bucket listings that batch jobs walk. Both kinds
/// follow the same `ObjectKey` rules on every store, so a tree can move from disk to S3 unchanged.
///
/// Every method throws only `StorageError`, whose description says what to do about it.
public protocol ObjectStore: Sendable {
    /// Stores `bytes` under `key` unless the key already exists.
    ///
    /// The first write wins: an existing object is never replaced, which is what makes retries and
    /// concurrent uploads of the same photo safe. A content key must be the SHA-256 of `bytes`.
    ///
    /// - Parameter mediaType: what the bytes are (`image/heic`...), kept where the store keeps
    ///   such metadata (S3's `Content-Type`, so a CDN serving the bucket sends the right type);
    ///   nil stores `application/octet-stream`.
    func put(_ bytes: [UInt8], key: String, mediaType: String?) async throws(StorageError) -> PutOutcome

    /// The object's bytes; `StorageError.notFound` when there is none.
    func get(_ key: String) async throws(StorageError) -> [UInt8]

    /// The object's size, or nil when there is none; cheaper than `get` for existence checks.
    func head(_ key: String) async throws(StorageError) -> ObjectInfo?

    /// Removes the object; deleting a missing key succeeds so cleanups can be retried.
    func delete(_ key: String) async throws(StorageError)

    /// Up to `limit` objects whose keys start with `prefix` and sort after `startAfter`, in
    /// ascending UTF-8 byte order (S3's order). Pass `nextStartAfter` back to read the next page.
    func list(prefix: String, startAfter: String?, limit: Int) async throws(StorageError) -> ListPage
}

extension ObjectStore {
    /// A put of bytes whose media type is not known (or not an image's).
    public func put(_ bytes: [UInt8], key: String) async throws(StorageError) -> PutOutcome {
        try await put(bytes, key: key, mediaType: nil)
    }
}
