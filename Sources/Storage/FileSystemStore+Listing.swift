import Glibc

extension FileSystemStore {
    public func list(prefix: String, startAfter: String?, limit: Int) async throws(StorageError) -> ListPage {
        try ObjectKey.validate(prefix: prefix)
        guard limit > 0 else { throw .invalidConfiguration("a listing limit must be at least 1, not \(limit)") }
        let store = self
        return try await BlockingIO.run { () throws(StorageError) -> ListPage in
            // Each tree yields at most limit + 1 keys in order; merging them and cutting at
            // `limit` gives the page, and the extra key tells whether another page exists.
            var content = DirectoryWalk(prefix: prefix, startAfter: startAfter, wanted: limit + 1)
            try content.walkContent(store.contentRoot)
            var named = DirectoryWalk(prefix: prefix, startAfter: startAfter, wanted: limit + 1)
            try named.walkNamed(store.namedRoot, keyPrefix: "")
            let merged = DirectoryWalk.merge(content.found, named.found)
            let page = Array(merged.prefix(limit))
            return ListPage(objects: page, nextStartAfter: merged.count > limit ? page.last?.key : nil)
        }
    }
}
