/// What a `put` did, so callers can count new objects versus duplicates.
public enum PutOutcome: Sendable, Hashable {
    /// The bytes were written and are now durable.
    case stored
    /// The key already held an object; nothing was written.
    case alreadyPresent
}
