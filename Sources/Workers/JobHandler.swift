import Jobs

/// Runs the jobs of one kind. The worker claims jobs across kinds and hands each handler up to
/// `batchSize` of its own at a time, so a model-backed handler gets full batches.
///
/// Handlers must be idempotent: a job whose worker died is run again, possibly after part of
/// its effect was written. Later subsystems (moderation's heavy model) add a kind by adding a
/// handler to the worker.
public protocol JobHandler: Sendable {
    var kind: String { get }
    var batchSize: Int { get }
    /// One outcome per job, in order.
    func handle(_ jobs: [Job]) async -> [JobOutcome]
}
