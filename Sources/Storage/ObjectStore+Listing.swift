extension ObjectStore {
    /// Every object under `prefix`, fetched a page at a time as the consumer pulls.
    ///
    /// The stream is built with `init(unfolding:)` so nothing runs ahead of the reader: a job that
    /// stops early (or is cancelled) never pays for pages it did not read, and memory stays at one
    /// page however large the bucket is. Errors are `StorageError` values.
    public func objects(prefix: String = "", pageSize: Int = 1000) -> AsyncThrowingStream<ObjectInfo, any Error> {
        let cursor = ListingCursor(store: self, prefix: prefix, pageSize: pageSize)
        return AsyncThrowingStream(unfolding: { try await cursor.next() })
    }

    /// Lists the first page of `prefix` with the default page size.
    public func list(prefix: String = "", limit: Int = 1000) async throws(StorageError) -> ListPage {
        try await list(prefix: prefix, startAfter: nil, limit: limit)
    }
}

/// The position of one `objects(prefix:pageSize:)` stream; an actor because the unfolding closure
/// is `@Sendable` yet must remember the page it is handing out.
actor ListingCursor {
    let store: any ObjectStore
    let prefix: String
    let pageSize: Int
    private var buffered: [ObjectInfo] = []
    private var startAfter: String?
    private var exhausted = false

    init(store: any ObjectStore, prefix: String, pageSize: Int) {
        self.store = store
        self.prefix = prefix
        self.pageSize = pageSize
    }

    func next() async throws(StorageError) -> ObjectInfo? {
        while buffered.isEmpty {
            if exhausted { return nil }
            let page = try await store.list(prefix: prefix, startAfter: startAfter, limit: pageSize)
            buffered = page.objects.reversed()
            startAfter = page.nextStartAfter
            exhausted = page.nextStartAfter == nil
        }
        return buffered.popLast()
    }
}
