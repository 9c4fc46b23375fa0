import Hummingbird
import Jobs
import Moderation

/// Moderation in a server: `?moderate=true` on `POST /v1/classify` and the review queue and
/// audit routes, over the cascade and store a `ModerationSetup` loaded (the worker's
/// `moderation.heavy` handler shares them).
public struct ModerationServices: Sendable {
    public let setup: ModerationSetup
    let online: OnlineModeration

    /// - Parameter queue: where the uncertain uploads' heavy stage is queued.
    public init(setup: ModerationSetup, runtime: ServingRuntime, queue: any JobQueue) {
        self.setup = setup
        online = OnlineModeration(cascade: setup.cascade, store: setup.store, queue: queue, objects: runtime.workspace.store,
                                  decoding: runtime.service.decoding)
    }

    func add(to router: Router<ServingContext>) {
        ReviewRoutes(moderation: online).add(to: router)
    }
}
