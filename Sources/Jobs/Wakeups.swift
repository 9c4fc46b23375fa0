import Foundation

/// In-process wake-ups: a waiter sleeps until `signal()` or its timeout, whichever comes first.
///
/// A generation counter rather than a flag so a signal that arrives between a waiter's check and
/// its sleep is not lost: the waiter passes the generation it saw and returns at once if it moved.
actor Wakeups {
    private var generation: UInt64 = 0
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    /// Waits whose timeout or cancellation came before they started sleeping.
    private var expiredEarly: Set<UUID> = []

    var current: UInt64 { generation }

    func signal() {
        generation &+= 1
        let resumed = waiters
        waiters.removeAll()
        for continuation in resumed.values { continuation.resume() }
    }

    /// Returns after the next signal following `seen`, or after `timeout`.
    func wait(since seen: UInt64, timeout: Duration) async {
        guard generation == seen, timeout > .zero else { return }
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                await self.expire(id)
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    if generation != seen || Task.isCancelled || expiredEarly.remove(id) != nil {
                        continuation.resume()
                    } else {
                        waiters[id] = continuation
                    }
                }
            } onCancel: {
                Task { await self.expire(id) }
            }
            group.cancelAll()
        }
        expiredEarly.remove(id)
    }

    private func expire(_ id: UUID) {
        if let continuation = waiters.removeValue(forKey: id) {
            continuation.resume()
        } else {
            expiredEarly.insert(id)
        }
    }
}
