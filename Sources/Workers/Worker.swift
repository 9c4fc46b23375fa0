import Foundation
import Jobs
import Logging

/// Claims jobs and runs them through their handlers until cancelled.
///
/// The loop: take a wake-up token, claim up to the largest handler batch, and when the claim
/// came back short wait `fillWait` once and claim the rest, so the model sees full batches
/// under load without delaying a lone upload by more than that. Up to `inFlight` batches run at
/// once, so decoding the next batch overlaps the model's work on the current one. Work runs under a lease that a
/// heartbeat extends every third of it; if the process dies, the lease runs out and another
/// worker takes the jobs. With nothing to do, the worker sleeps until NOTIFY (PostgreSQL) or an
/// in-process signal says a job arrived, falling back to the queue's poll.
///
/// Cancelling `run()` (SIGTERM) stops claiming and lets the jobs in hand finish and be
/// recorded; a database outage is waited out with a capped backoff, never a crash.
public struct Worker: Sendable {
    public struct Configuration: Sendable {
        /// Seconds a claim holds a job before others may take it; heartbeats extend it.
        public var lease: Duration = .seconds(60)
        /// How long a short claim waits for more jobs before running what it has.
        public var fillWait: Duration = .milliseconds(30)
        /// The longest sleep when idle (wake-ups usually end it sooner).
        public var idleWait: Duration = .seconds(5)
        /// Return from `run()` once no job is queued or running (for batch runs and benchmarks).
        public var exitWhenIdle = false
        /// Batches processed at once: two lets one batch decode while the other is in the model.
        public var inFlight = 2
        /// The longest a batch keeps its leases alive; default ten leases.
        public var maxBatchTime: Duration?

        public init(lease: Duration = .seconds(60), fillWait: Duration = .milliseconds(30), idleWait: Duration = .seconds(5), exitWhenIdle: Bool = false,
                    inFlight: Int = 2) {
            self.lease = lease
            self.fillWait = fillWait
            self.idleWait = idleWait
            self.exitWhenIdle = exitWhenIdle
            self.inFlight = inFlight
        }
    }

    /// What a run did, for logs and the CLI's closing line.
    public struct Summary: Sendable, Hashable {
        public var done = 0
        public var failed = 0
        public var retried = 0
        /// Jobs whose lease another worker took before this one finished them.
        public var lost = 0
        public var batches = 0

        mutating func add(_ batch: Summary) {
            done += batch.done
            failed += batch.failed
            retried += batch.retried
            lost += batch.lost
            batches += 1
        }
    }

    public let queue: any JobQueue
    public let handlers: [String: any JobHandler]
    public let configuration: Configuration
    /// The lease owner name: host, pid and a random suffix.
    public let owner: String
    let logger: Logger

    public init(queue: any JobQueue, handlers: [any JobHandler], configuration: Configuration = Configuration(),
                owner: String = WorkerIdentity.make(), logger: Logger = Logger(label: "lenscale.worker")) {
        self.queue = queue
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.configuration = configuration
        self.owner = owner
        self.logger = logger
    }

    public var kinds: [String] { handlers.keys.sorted() }
    var claimLimit: Int { handlers.values.map(\.batchSize).max() ?? 1 }

    /// Runs until cancelled (or idle, with `exitWhenIdle`). Jobs in hand when the cancellation
    /// comes are finished and recorded before it returns.
    @discardableResult
    public func run() async -> Summary {
        // The loop runs in its own task so cancelling `run()` interrupts its waits (cancellation
        // is forwarded) while the work it hands off to an unstructured task is not torn down.
        let loop = Task { await self.loop() }
        return await withTaskCancellationHandler {
            await loop.value
        } onCancel: {
            loop.cancel()
        }
    }

    func loop() async -> Summary {
        var summary = Summary()
        var failures = 0
        let inFlight = max(1, configuration.inFlight)
        await withTaskGroup(of: Summary.self) { group in
            var running = 0
            while !Task.isCancelled {
                if running >= inFlight {
                    if let result = await group.next() { summary.add(result); running -= 1 }
                    continue
                }
                do {
                    let token = await queue.jobWakeupToken()
                    var jobs = try await queue.claim(kinds: kinds, limit: claimLimit, owner: owner, lease: configuration.lease)
                    if !jobs.isEmpty, jobs.count < claimLimit, configuration.fillWait != .zero, !Task.isCancelled {
                        try? await Task.sleep(for: configuration.fillWait)
                        jobs += try await queue.claim(kinds: kinds, limit: claimLimit - jobs.count, owner: owner, lease: configuration.lease)
                    }
                    failures = 0
                    if jobs.isEmpty {
                        if running > 0 {
                            if let result = await group.next() { summary.add(result); running -= 1 }
                            continue
                        }
                        if configuration.exitWhenIdle, try await isIdle() { break }
                        await queue.waitForJobs(since: token, timeout: configuration.idleWait)
                        continue
                    }
                    // An unstructured task inside the child: cancelling the worker must not
                    // interrupt jobs already claimed, only stop new claims.
                    let claimed = jobs
                    group.addTask { await Task { await self.process(claimed) }.value }
                    running += 1
                } catch {
                    failures += 1
                    let delay = min(5, 0.2 * pow(2, Double(min(failures, 6))))
                    if failures == 1 || failures % 10 == 0 {
                        logger.warning("worker: \(error); retrying in \(String(format: "%.1f", delay)) s")
                    }
                    try? await Task.sleep(for: .seconds(delay))
                }
            }
            while running > 0, let result = await group.next() {
                summary.add(result)
                running -= 1
            }
        }
        return summary
    }

    /// No job of a kind this worker runs is queued or running; other kinds do not count, or a
    /// worker without a handler for them would wait for them for ever.
    func isIdle() async throws(JobQueueError) -> Bool {
        try await !queue.hasWork(kinds: kinds)
    }

    /// Runs claimed jobs under a heartbeat and records their outcomes. A batch that outlives
    /// `maxBatchTime` (a handler stuck outside the database, whose calls all have deadlines) is
    /// cancelled and abandoned: its heartbeat stops, its leases run out and any worker takes the
    /// jobs again.
    func process(_ jobs: [Job]) async -> Summary {
        var summary = Summary()
        let limit = configuration.maxBatchTime ?? configuration.lease * 10
        let heartbeat = Task { await self.heartbeat(jobs.map(\.id)) }
        let work = Task { await self.handleAll(jobs) }
        let finished = await Deadline.value(of: work, within: limit)
        heartbeat.cancel()
        guard let outcomes = finished else {
            work.cancel()
            logger.error("worker: a batch of \(jobs.count) jobs took over \(limit); abandoning it so their leases expire and they run again")
            summary.lost = jobs.count
            return summary
        }
        for (_, outcome) in outcomes {
            switch outcome {
            case .done: summary.done += 1
            case .fail: summary.failed += 1
            case .retry: summary.retried += 1
            }
        }
        summary.lost = await record(outcomes)
        return summary
    }

    func handleAll(_ jobs: [Job]) async -> [(id: Int64, outcome: JobOutcome)] {
        var outcomes: [(id: Int64, outcome: JobOutcome)] = []
        for (kind, ofKind) in Dictionary(grouping: jobs, by: \.kind) {
            guard let handler = handlers[kind] else {
                outcomes += ofKind.map { ($0.id, .retry(reason: "this worker has no handler for \(kind)")) }
                continue
            }
            let size = max(1, handler.batchSize)
            for start in stride(from: 0, to: ofKind.count, by: size) {
                let chunk = Array(ofKind[start..<min(ofKind.count, start + size)])
                let results = await handler.handle(chunk)
                for (index, job) in chunk.enumerated() {
                    outcomes.append((job.id, index < results.count ? results[index] : .retry(reason: "the handler returned no outcome")))
                }
            }
        }
        return outcomes
    }

    /// Extends the leases every third of their length until cancelled.
    func heartbeat(_ ids: [Int64]) async {
        let interval = max(.milliseconds(50), configuration.lease / 3)
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            do {
                let lost = try await queue.heartbeat(ids: ids, owner: owner, lease: configuration.lease)
                if !lost.isEmpty { logger.warning("worker: lost the lease on jobs \(lost.sorted()); another worker took them") }
            } catch {
                logger.warning("worker: heartbeat failed: \(error)")
            }
        }
    }

    /// Records outcomes, retrying through a database outage for up to one lease: after that the
    /// jobs are someone else's, and since handlers are idempotent they will simply run again.
    func record(_ outcomes: [(id: Int64, outcome: JobOutcome)]) async -> Int {
        let deadline = ContinuousClock.now + configuration.lease
        var delay = 0.2
        while true {
            do {
                return try await queue.finish(outcomes, owner: owner).count
            } catch {
                guard ContinuousClock.now < deadline else {
                    logger.error("worker: cannot record \(outcomes.count) job outcomes: \(error); their leases will expire and they will run again")
                    return outcomes.count
                }
                logger.warning("worker: recording outcomes failed: \(error); retrying")
                try? await Task.sleep(for: .seconds(delay))
                delay = min(delay * 2, 3)
            }
        }
    }
}
