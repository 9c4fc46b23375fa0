import Catalog
import Foundation
import ServiceLifecycle

/// The durable job queue, batches, the event feed and webhook subscriptions, on the catalog's
/// own database so a batch, its items and their jobs commit in one transaction, and a job's
/// completion, its batch items and its events in another.
///
/// Two implementations with the same behaviour: `SQLiteJobQueue` (embedded; IMMEDIATE
/// transactions, in-process wake-ups plus a short poll) and `PostgresJobQueue` (scale-out;
/// `FOR UPDATE SKIP LOCKED`, `LISTEN/NOTIFY`). `makeJobQueue(catalog:)` picks by backend; the
/// contract tests run every expectation against both.
///
/// Delivery of jobs is at least once: a worker that dies mid-job loses its lease and the job is
/// claimed again, so handlers must be idempotent (image work is keyed by sha256, model and version).
public protocol JobQueue: Sendable {
    // MARK: Jobs

    /// Enqueues `job` unless a job with its idempotency key is queued, running or dead; then that
    /// job is returned (`inserted` false), its priority raised to `job`'s if higher, and a dead
    /// one revived, since new demand for the work is a reason to try again.
    func enqueue(_ job: NewJob) async throws(JobQueueError) -> (id: Int64, inserted: Bool)

    /// Claims up to `limit` queued jobs of `kinds` whose `runAfter` has passed, highest priority
    /// first then oldest, for `owner` until `lease` from now. Jobs whose lease expired
    /// are queued again first (or dead, when that was their last attempt). Two claimers never
    /// get the same job.
    func claim(kinds: [String], limit: Int, owner: String, lease: Duration) async throws(JobQueueError) -> [Job]

    /// Extends the lease of `ids` that `owner` still holds; returns the ids it no longer holds
    /// (lease expired and taken by another worker, or finished), whose work it should drop.
    func heartbeat(ids: [Int64], owner: String, lease: Duration) async throws(JobQueueError) -> Set<Int64>

    /// Settles claimed jobs in one transaction: done (with their events appended), back to the
    /// queue after a backoff, dead after the last attempt, or failed. Batch items follow their
    /// job, and a batch whose last item settles gets its `batch.completed` event. Jobs `owner`
    /// no longer holds are left alone and returned.
    @discardableResult
    func finish(_ outcomes: [(id: Int64, outcome: JobOutcome)], owner: String) async throws(JobQueueError) -> Set<Int64>

    /// Puts claimed jobs back without counting the attempt (a worker shutting down).
    func release(ids: [Int64], owner: String) async throws(JobQueueError)

    func job(id: Int64) async throws(JobQueueError) -> Job?

    func stats() async throws(JobQueueError) -> QueueStats

    /// Whether a job of one of `kinds` is queued or running: what a worker that exits when idle
    /// asks, so that jobs it has no handler for (another deployment's) do not keep it waiting.
    func hasWork(kinds: [String]) async throws(JobQueueError) -> Bool

    /// Dead jobs, newest first.
    func deadJobs(limit: Int) async throws(JobQueueError) -> [Job]

    /// Queues dead jobs again with a fresh attempt count (all of them when `ids` is nil); their
    /// batch items reopen. Returns how many were revived.
    @discardableResult
    func retryDead(ids: [Int64]?) async throws(JobQueueError) -> Int

    /// A token for `waitForJobs(since:timeout:)`, taken before claiming, so a wake-up that
    /// arrives between an empty claim and the wait is not lost.
    func jobWakeupToken() async -> UInt64

    /// Returns soon after a job may have become claimable since `token` was taken (an enqueue, a
    /// retry, a release; NOTIFY on PostgreSQL), or after `timeout`; what a worker waits
    /// on when the queue is empty. Wake-ups may be spurious; callers claim and see.
    func waitForJobs(since token: UInt64, timeout: Duration) async

    // MARK: Batches

    /// Creates the batch, its items and their jobs in one transaction, and returns its id.
    func createBatch(_ batch: NewBatch) async throws(JobQueueError) -> BatchReceipt

    /// The batch with per-item state and, for done items, the batch model's labels; nil when unknown.
    func batch(id: String) async throws(JobQueueError) -> BatchStatus?

    // MARK: Events

    /// Appends events in a transaction of their own. Writers that change state should instead
    /// append in their own transaction (`SQLiteJobQueue.append(_:in:)`,
    /// `PostgresJobQueue.append(_:on:logger:)`) so the event commits with the change.
    func append(_ events: [NewEvent]) async throws(JobQueueError)

    /// Up to `limit` events with id > `after`, ascending.
    func events(after: Int64, limit: Int) async throws(JobQueueError) -> [Event]

    /// The highest event id, 0 for an empty feed (where "only new events" starts).
    func latestEventID() async throws(JobQueueError) -> Int64

    /// Returns true as soon as an event with id > `after` exists, false after `timeout`:
    /// the long poll and SSE loop. Checks the table first, so no event between a caller's read
    /// and this call is missed.
    func waitForEvents(after: Int64, timeout: Duration) async throws(JobQueueError) -> Bool

    // MARK: Webhooks

    func createWebhook(_ webhook: NewWebhook) async throws(JobQueueError) -> WebhookSubscription

    func webhooks() async throws(JobQueueError) -> [WebhookSubscription]

    /// Throws `unknownWebhook` when there is none with this id.
    func deleteWebhook(id: Int64) async throws(JobQueueError)

    /// The newest delivery attempts of one subscription, newest first.
    func deliveries(webhook id: Int64, limit: Int) async throws(JobQueueError) -> [WebhookDelivery]

    /// For the dispatcher: takes the lease on subscriptions that are due, with their secrets.
    func leaseDueWebhooks(owner: String, lease: Duration) async throws(JobQueueError) -> [(subscription: WebhookSubscription, secret: String)]

    /// For the dispatcher: logs one attempt and moves the cursor (success) or schedules the next
    /// attempt (failure); `skippedThrough` moves the cursor past events the filter excluded.
    func recordDelivery(webhook id: Int64, owner: String, eventID: Int64?, skippedThrough: Int64?,
                        attempt: Int, statusCode: Int?, error: String?, succeeded: Bool,
                        durationMilliseconds: Int, retryAfter: Duration) async throws(JobQueueError)

    /// For the dispatcher: gives up the lease so another replica may deliver.
    func releaseWebhook(id: Int64, owner: String) async throws(JobQueueError)

    /// What carries wake-ups from other processes to this one's waiters (PostgreSQL's LISTEN
    /// connection), as a service for the process's `ServiceGroup`; nil when waiters need none
    /// (SQLite's are in-process). Without it running, waits fall back to polling every
    /// `pollInterval`: right for commands that enqueue and exit, which never wait.
    var wakeups: (any Service)? { get }
}

/// The queue on `catalog`'s database: SQLite for an embedded catalog, PostgreSQL for a shared one.
public func makeJobQueue(catalog: any Catalog, backoff: JobBackoff = JobBackoff(), clock: QueueClock = QueueClock()) throws(JobQueueError) -> any JobQueue {
    if let sqlite = catalog as? SQLiteCatalog { return SQLiteJobQueue(catalog: sqlite, backoff: backoff, clock: clock) }
    if let postgres = catalog as? PostgresCatalog { return PostgresJobQueue(catalog: postgres, backoff: backoff, clock: clock) }
    throw .invalid("the job queue needs a SQLite or PostgreSQL catalog, not \(type(of: catalog))")
}
