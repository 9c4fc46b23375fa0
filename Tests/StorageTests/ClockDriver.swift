import Clocks
import TestSupport

/// Advances a `ManualClock` for a store talking to a `ScriptedHTTPServer`, the way time would
/// pass around the exchange, but only once the exchange has really happened: a backoff (no
/// longer than `maxBackoff`) fires as soon as it starts. With `firingTimers`, for a server
/// that never answers, an attempt's timer fires once the server holds one more request than
/// timers fired so far, so a slow machine can never time an attempt out before it was sent;
/// without it, no attempt ever times out.
func whileDriving<T: Sendable>(_ clock: ManualClock, server: ScriptedHTTPServer, maxBackoff: Duration, firingTimers: Bool = false,
                               _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await within(.seconds(120), "the store's operation to end") {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                var timersFired = 0
                while !Task.isCancelled {
                    if let next = clock.pendingDeadlines.first {
                        if clock.now.duration(to: next) <= maxBackoff {
                            clock.advance(to: next)
                        } else if firingTimers, server.received.count > timersFired {
                            timersFired += 1
                            clock.advance(to: next)
                        }
                    }
                    try await Task.sleep(for: .milliseconds(1))
                }
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }
}
