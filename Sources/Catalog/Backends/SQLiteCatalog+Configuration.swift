extension SQLiteCatalog {
    /// Where and how to open the embedded catalog.
    public struct Configuration: Sendable, Equatable, Hashable {
        /// The database file; its folder is created when missing. `-wal` and `-shm` files appear
        /// beside it (WAL mode), so the folder must be writable.
        public var path: String
        /// How long a write waits for another process's write to finish before failing. Writers
        /// hold the lock for one short transaction, so seconds mean something is stuck.
        public var busyTimeout: Duration
        /// Concurrent readers; WAL lets them run beside the single writer.
        public var maximumReaderCount: Int

        public init(path: String, busyTimeout: Duration = .seconds(10), maximumReaderCount: Int = 8) {
            self.path = path
            self.busyTimeout = busyTimeout
            self.maximumReaderCount = maximumReaderCount
        }
    }
}
