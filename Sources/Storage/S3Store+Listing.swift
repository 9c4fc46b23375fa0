extension S3Store {
    /// ListObjectsV2 pages of at most 1,000 (S3's cap), chained by continuation token until
    /// `limit` objects are gathered. The returned cursor is a key (`start-after`), not S3's
    /// token, so callers can persist it and resume on any store.
    public func list(prefix: String, startAfter: String?, limit: Int) async throws(StorageError) -> ListPage {
        try ObjectKey.validate(prefix: prefix)
        guard limit > 0 else { throw .invalidConfiguration("a listing limit must be at least 1, not \(limit)") }
        var objects: [ObjectInfo] = []
        var token: String?
        while true {
            var query: [(name: String, value: String)] = [
                ("list-type", "2"),
                // With a key prefix `p`, even an empty listing prefix becomes `p/`, so a store never
                // sees a sibling store's `p2/…` keys.
                ("prefix", configuration.objectName(for: prefix)),
                ("max-keys", String(min(1000, limit - objects.count))),
            ]
            if let token {
                query.append(("continuation-token", token))
            } else if let startAfter {
                query.append(("start-after", configuration.objectName(for: startAfter)))
            }
            let response = try await send(S3Request(method: .get, objectName: nil, query: query))
            guard (200..<300).contains(response.status) else { throw response.storageError }
            let result = try S3ListResult(xml: response.body)
            objects += result.entries.compactMap { entry in
                configuration.key(forObjectName: entry.name).map { ObjectInfo(key: $0, size: entry.size) }
            }
            token = result.nextContinuationToken
            if !result.isTruncated {
                return ListPage(objects: objects, nextStartAfter: nil)
            }
            if objects.count >= limit {
                return ListPage(objects: objects, nextStartAfter: objects.last?.key)
            }
        }
    }
}
