/// What settling a job does to its row and its batch items, once the queue has applied the
/// retry policy to a handler's `JobOutcome` (or found its lease expired).
enum SettledOutcome: Sendable {
    case done
    case failed(String)
    case dead(String)
    /// Back to the queue, runnable from `runAfter` (microseconds).
    case requeue(String, runAfter: Int64)

    var jobState: JobState {
        switch self {
        case .done: .done
        case .failed: .failed
        case .dead: .dead
        case .requeue: .queued
        }
    }

    /// The state its batch items take.
    var itemState: BatchItemState {
        switch self {
        case .done: .done
        case .failed, .dead: .failed
        case .requeue: .queued
        }
    }

    var reason: String? {
        switch self {
        case .done: nil
        case .failed(let reason), .dead(let reason), .requeue(let reason, _): reason
        }
    }

    /// Finished for good: sets `finished_at` and may complete a batch.
    var isTerminal: Bool {
        if case .requeue = self { return false }
        return true
    }
}
