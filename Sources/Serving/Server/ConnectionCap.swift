import Hummingbird
import HummingbirdCore
import Synchronization

/// The open connections of the main listener, and the cap past which it stops accepting
/// (`limits.max_connections`): the kernel's backlog then holds new ones until one closes.
///
/// Why our own rather than Hummingbird's `.maximum`: the count is shared, so the server can
/// report it and a test can check that the cap held (the peak never passes it), rather than
/// only that a waiting client is served in the end.
public final class ConnectionCap: Sendable {
    public let limit: Int
    private let counts = Mutex((open: 0, peak: 0))

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    public var open: Int { counts.withLock { $0.open } }
    /// The most connections open at once since start.
    public var peak: Int { counts.withLock { $0.peak } }

    /// What the listener consults, once per accepted connection and close.
    var delegate: Delegate { Delegate(cap: self) }

    struct Delegate: AvailableConnectionsDelegate {
        let cap: ConnectionCap

        mutating func connectionOpened() {
            cap.counts.withLock { counts in
                counts.open += 1
                counts.peak = max(counts.peak, counts.open)
            }
        }

        mutating func connectionClosed() {
            cap.counts.withLock { $0.open -= 1 }
        }

        func isAcceptingNewConnections() -> Bool {
            cap.counts.withLock { $0.open < cap.limit }
        }
    }
}
