import Synchronization

/// Waiting on a task with a time limit, without awaiting it past the limit (the caller decides
/// whether to cancel it).
enum Deadline {
    /// `task`'s value, or nil when it is not ready within `limit` (the task keeps running).
    static func value<T: Sendable>(of task: Task<T, Never>, within limit: Duration) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let once = ResumeOnce(continuation)
            Task { once.resume(await task.value) }
            Task {
                try? await Task.sleep(for: limit)
                once.resume(nil)
            }
        }
    }
}

/// Resumes a continuation with the first value offered and ignores the rest.
final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T?, Never>?>

    init(_ continuation: CheckedContinuation<T?, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: T?) {
        let pending = continuation.withLock { stored -> CheckedContinuation<T?, Never>? in
            defer { stored = nil }
            return stored
        }
        pending?.resume(returning: value)
    }
}
