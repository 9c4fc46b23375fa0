import Catalog
import Classification
import Foundation

/// Everything moderation can fail with at run time (policies have `PolicyError`); each message
/// says what to do about it.
public enum ModerationError: Error, Sendable, CustomStringConvertible {
    case detector(DetectorError)
    case classifier(ClassificationError)
    case store(CatalogError)
    /// No review item has this id.
    case itemNotFound(Int64)
    /// `decide` without holding a live claim on the item.
    case notClaimed(item: Int64, reviewer: String)
    /// Someone else holds a live claim.
    case claimedByOther(item: Int64, reviewer: String, until: Date)
    /// The item was approved or rejected already.
    case alreadyDecided(item: Int64, state: ReviewState)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .detector(let error): "moderation detector: \(error)"
        case .classifier(let error): "moderation classifier: \(error)"
        case .store(let error): "moderation store: \(error)"
        case .itemNotFound(let id): "review item \(id) does not exist; list the queue for current ids"
        case .notClaimed(let id, let reviewer):
            "review item \(id) is not claimed by \(reviewer) (never claimed, or the lease expired); claim it again before deciding"
        case .claimedByOther(let id, let reviewer, let until):
            "review item \(id) is being reviewed by \(reviewer) until \(until); pick another item"
        case .alreadyDecided(let id, let state): "review item \(id) was already \(state.rawValue); nothing to do"
        case .invalidArgument(let reason): reason
        }
    }
}
