import Synchronization

/// Where a queue's "now" comes from, for leases, backoff and run-after times.
///
/// In production it is the database server's clock on PostgreSQL (so a lease means the same to
/// every host, whatever their own clocks say) and this host's clock on SQLite (one host shares
/// the file). Tests hold the same `QueueClock` as the queues they build and `advance` it: an
/// expired lease or a finished backoff is then a step of the test, not a sleep that a starved
/// machine may overrun. The offset is the only thing that moves; it is zero unless advanced.
public final class QueueClock: Sendable {
    private let offset = Atomic<Int64>(0)

    public init() {}

    /// Moves this clock's "now" forward by `duration` for every queue that holds it.
    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        offset.add(seconds * 1_000_000 + attoseconds / 1_000_000_000_000, ordering: .relaxed)
    }

    /// Microseconds added to the underlying clock.
    public var offsetMicroseconds: Int64 { offset.load(ordering: .relaxed) }
}
