import Jobs
import Storage

/// Why a whole batch was refused; problems with single images are per-item results instead.
public enum BatchSubmissionError: Error, Sendable, CustomStringConvertible {
    /// Nothing to submit.
    case empty
    /// More items than one batch may hold.
    case tooManyItems(count: Int, limit: Int)
    /// The object store failed for an accepted image: nothing was enqueued; retry the batch.
    case storage(name: String, StorageError)
    /// The batch could not be recorded: nothing was enqueued; retry the batch.
    case queue(JobQueueError)

    public var description: String {
        switch self {
        case .empty: "the batch holds no images: send at least one"
        case .tooManyItems(let count, let limit): "the batch holds \(count) images, over the limit of \(limit): split it"
        case .storage(let name, let error): "cannot store \(name): \(error); nothing was enqueued, retry the batch"
        case .queue(let error): "cannot record the batch: \(error); nothing was enqueued, retry it"
        }
    }

    /// True when the same request may succeed later (HTTP 503 rather than 400).
    public var isTransient: Bool {
        switch self {
        case .empty, .tooManyItems: false
        case .storage: true
        case .queue(let error): error.isTransient
        }
    }
}

/// Why a streamed batch (`BatchSubmitter.submit(priority:next:settled:)`) was not created: the
/// submitter's own reason, or the error of the source the uploads came from.
public enum BatchStreamError<Failure: Error>: Error {
    case submission(BatchSubmissionError)
    case upload(Failure)
}
