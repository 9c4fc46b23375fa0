/// Why the batcher did not answer a request.
public enum BatcherError: Error, Sendable, Equatable {
    /// The queue is at `maxQueueSize`: answer 429 so clients back off.
    case overloaded
    /// The request waited longer than the configured timeout.
    case timedOut
    /// The server is shutting down and no longer runs batches.
    case stopped
}
