import Catalog
import Foundation
import Jobs
import Testing
import TestSupport

/// The queue's behaviour, identical on SQLite and PostgreSQL.
@Suite struct JobQueueContractTests {
    @Test(arguments: TestBackend.allCases)
    func enqueueClaimComplete(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend) { queues in
            let queue = queues.first
            let a = try await queue.enqueue(TestQueues.job("a"))
            let b = try await queue.enqueue(TestQueues.job("b"))
            #expect(a.inserted && b.inserted && a.id != b.id)
            let claimed = try await queue.claim(kinds: ["test.work"], limit: 1, owner: "w1", lease: .seconds(30))
            #expect(claimed.map(\.id) == [a.id], "oldest first at equal priority")
            let job = try #require(claimed.first)
            #expect(job.state == .running && job.attempts == 1 && job.leaseOwner == "w1")
            #expect(job.payload == "{\"name\":\"a\"}")
            #expect(try await queue.claim(kinds: ["other.kind"], limit: 5, owner: "w1", lease: .seconds(30)).isEmpty, "kinds filter")
            let notHeld = try await queue.finish([(a.id, .done(events: []))], owner: "w1")
            #expect(notHeld.isEmpty)
            let done = try #require(try await queue.job(id: a.id))
            #expect(done.state == .done && done.finishedAt != nil && done.leaseOwner == nil)
            let stats = try await queue.stats()
            #expect(stats.counts[.done] == 1 && stats.counts[.queued] == 1 && stats.counts[.running] == 0)
            #expect(stats.oldestQueuedAge != nil)
        }
    }

    /// What a worker that exits when idle asks: only its own kinds count.
    @Test(arguments: TestBackend.allCases)
    func hasWorkCountsOnlyTheKindsAsked(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend) { queues in
            let queue = queues.first
            #expect(try await !queue.hasWork(kinds: ["test.work"]))
            let work = try await queue.enqueue(TestQueues.job("a")).id
            _ = try await queue.enqueue(TestQueues.job("b", kind: "other.kind"))
            #expect(try await queue.hasWork(kinds: ["test.work"]))
            _ = try await queue.claim(kinds: ["test.work"], limit: 1, owner: "w", lease: .seconds(30))
            #expect(try await queue.hasWork(kinds: ["test.work"]), "a running job is work")
            _ = try await queue.finish([(work, .done(events: []))], owner: "w")
            #expect(try await !queue.hasWork(kinds: ["test.work"]))
            #expect(try await queue.hasWork(kinds: ["other.kind", "test.work"]))
            #expect(try await !queue.hasWork(kinds: []))
        }
    }

    /// Many claimers on two connection pools, racing for 120 jobs: no job is handed out twice.
    @Test(arguments: TestBackend.allCases)
    func concurrentClaimersNeverShareAJob(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend) { queues in
            for i in 0..<120 { _ = try await queues.first.enqueue(TestQueues.job("j\(i)")) }
            let claims = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for claimer in 0..<6 {
                    let queue = claimer.isMultiple(of: 2) ? queues.first : queues.second
                    group.addTask {
                        var mine: [Int64] = []
                        while true {
                            let jobs = try await queue.claim(kinds: ["test.work"], limit: 4, owner: "c\(claimer)", lease: .seconds(30))
                            if jobs.isEmpty { return mine }
                            mine += jobs.map(\.id)
                        }
                    }
                }
                var all: [[Int64]] = []
                for try await ids in group { all.append(ids) }
                return all
            }
            let flat = claims.flatMap { $0 }
            #expect(flat.count == 120)
            #expect(Set(flat).count == 120, "a job was claimed twice")
            #expect(claims.filter { !$0.isEmpty }.count > 1, "the claimers shared the work")
        }
    }

    @Test(arguments: TestBackend.allCases)
    func expiredLeaseIsClaimedAgain(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend) { queues in
            let id = try await queues.first.enqueue(TestQueues.job("slow")).id
            // The queue's clock runs with real time plus what the test advances: a long lease and
            // wide margins keep a starved machine's own seconds from deciding the outcome.
            _ = try await queues.first.claim(kinds: ["test.work"], limit: 1, owner: "dead-worker", lease: .seconds(600))
            #expect(try await queues.second.claim(kinds: ["test.work"], limit: 1, owner: "w2", lease: .seconds(30)).isEmpty, "leased")
            queues.clock.advance(by: .seconds(500))
            #expect(try await queues.second.claim(kinds: ["test.work"], limit: 1, owner: "w2", lease: .seconds(30)).isEmpty, "leased for 600 s")
            queues.clock.advance(by: .seconds(200))
            let again = try await queues.second.claim(kinds: ["test.work"], limit: 1, owner: "w2", lease: .seconds(30))
            #expect(again.map(\.id) == [id])
            #expect(again.first?.attempts == 2 && again.first?.leaseOwner == "w2")
            // The first worker wakes up late: its heartbeat and its result are refused.
            #expect(try await queues.first.heartbeat(ids: [id], owner: "dead-worker", lease: .seconds(30)) == [id])
            #expect(try await queues.first.finish([(id, .done(events: []))], owner: "dead-worker") == [id])
            #expect(try await queues.first.job(id: id)?.state == .running)
            #expect(try await queues.second.finish([(id, .done(events: []))], owner: "w2").isEmpty)
            #expect(try await queues.first.job(id: id)?.state == .done)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func heartbeatExtendsTheLease(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend) { queues in
            let id = try await queues.first.enqueue(TestQueues.job("long")).id
            _ = try await queues.first.claim(kinds: ["test.work"], limit: 1, owner: "w1", lease: .seconds(60))
            #expect(try await queues.first.heartbeat(ids: [id], owner: "w1", lease: .seconds(3600)).isEmpty)
            queues.clock.advance(by: .seconds(600))  // far past the first lease, far within the heartbeat's
            #expect(try await queues.second.claim(kinds: ["test.work"], limit: 1, owner: "w2", lease: .seconds(30)).isEmpty,
                    "the heartbeat kept the job")
            #expect(try await queues.first.job(id: id)?.leaseOwner == "w1")
        }
    }

    @Test(arguments: TestBackend.allCases)
    func retriesBackOffThenDeadLetterAndRetry(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend, backoff: JobBackoff(base: .seconds(3600), cap: .seconds(3600))) { queues in
            let queue = queues.first
            let id = try await queue.enqueue(TestQueues.job("flaky", maxAttempts: 2)).id
            let claimed = try #require(try await queue.claim(kinds: ["test.work"], limit: 1, owner: "w", lease: .seconds(30)).first)
            try await queue.finish([(id, .retry(reason: "timeout talking to S3"))], owner: "w")
            let waiting = try #require(try await queue.job(id: id))
            #expect(waiting.state == .queued && waiting.lastError == "timeout talking to S3")
            // Jittered backoff of half to all of the hour's base, counted from the retry; the
            // test moves the queue's clock, with margins of minutes over the machine's own time.
            #expect(waiting.runAfter.timeIntervalSince(claimed.createdAt) >= 1700, "backoff pushes the next attempt into the future")
            #expect(try await queue.claim(kinds: ["test.work"], limit: 1, owner: "w", lease: .seconds(30)).isEmpty, "not before run_after")
            queues.clock.advance(by: .seconds(1_700))
            #expect(try await queue.claim(kinds: ["test.work"], limit: 1, owner: "w", lease: .seconds(30)).isEmpty, "not within half the base")
            queues.clock.advance(by: .seconds(2_000))
            let second = try await queue.claim(kinds: ["test.work"], limit: 1, owner: "w", lease: .seconds(30))
            #expect(second.first?.attempts == 2)
            try await queue.finish([(id, .retry(reason: "timeout again"))], owner: "w")
            #expect(try await queue.job(id: id)?.state == .dead)
            let dead = try await queue.deadJobs(limit: 10)
            #expect(dead.map(\.id) == [id])
            #expect(dead.first?.lastError?.contains("gave up after 2 attempts: timeout again") == true)
            #expect(try await queue.stats().counts[.dead] == 1)
            #expect(try await queue.retryDead(ids: [id]) == 1)
            let revived = try #require(try await queue.job(id: id))
            #expect(revived.state == .queued && revived.attempts == 0)
            #expect(try await queue.claim(kinds: ["test.work"], limit: 1, owner: "w", lease: .seconds(30)).map(\.id) == [id])
        }
    }

    @Test(arguments: TestBackend.allCases)
    func permanentFailureSkipsRetries(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend) { queues in
            let id = try await queues.first.enqueue(TestQueues.job("corrupt")).id
            _ = try await queues.first.claim(kinds: ["test.work"], limit: 1, owner: "w", lease: .seconds(30))
            try await queues.first.finish([(id, .fail(reason: "not an image"))], owner: "w")
            let job = try #require(try await queues.first.job(id: id))
            #expect(job.state == .failed && job.lastError == "not an image" && job.attempts == 1)
            #expect(try await queues.first.deadJobs(limit: 10).isEmpty)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func onlineWorkGoesFirst(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend) { queues in
            _ = try await queues.first.enqueue(TestQueues.job("backfill-1"))
            _ = try await queues.first.enqueue(TestQueues.job("backfill-2"))
            let online = try await queues.first.enqueue(TestQueues.job("upload", priority: .online)).id
            let first = try await queues.first.claim(kinds: ["test.work"], limit: 1, owner: "w", lease: .seconds(30))
            #expect(first.map(\.id) == [online])
            // Enqueueing queued backfill work again from an upload promotes it.
            let promoted = try await queues.first.enqueue(TestQueues.job("backfill-2", priority: .online))
            #expect(!promoted.inserted)
            #expect(try await queues.first.claim(kinds: ["test.work"], limit: 1, owner: "w", lease: .seconds(30)).map(\.id) == [promoted.id])
        }
    }

    @Test(arguments: TestBackend.allCases)
    func idempotencyKeyFindsTheOpenJob(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend) { queues in
            let first = try await queues.first.enqueue(TestQueues.job("same"))
            let again = try await queues.second.enqueue(TestQueues.job("same"))
            #expect(first.inserted && !again.inserted && first.id == again.id)
            _ = try await queues.first.claim(kinds: ["test.work"], limit: 1, owner: "w", lease: .seconds(30))
            #expect(try await queues.first.enqueue(TestQueues.job("same")).id == first.id, "running counts as open")
            try await queues.first.finish([(first.id, .done(events: []))], owner: "w")
            let after = try await queues.first.enqueue(TestQueues.job("same"))
            #expect(after.inserted && after.id != first.id, "a finished key may be queued again")
            #expect(try await queues.first.stats().counts[.queued] == 1)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func releaseReturnsJobsWithoutSpendingAnAttempt(_ backend: TestBackend) async throws {
        try await TestQueues.with(backend) { queues in
            let id = try await queues.first.enqueue(TestQueues.job("in-hand")).id
            _ = try await queues.first.claim(kinds: ["test.work"], limit: 1, owner: "w", lease: .seconds(30))
            try await queues.first.release(ids: [id], owner: "w")
            let job = try #require(try await queues.first.job(id: id))
            #expect(job.state == .queued && job.attempts == 0 && job.leaseOwner == nil)
        }
    }

    /// A waiter on one pool is woken by an enqueue on another: by NOTIFY, since its fallback
    /// poll and its own timeout are an hour away. The minute given to each wait only turns a
    /// lost notification into a failure that names it.
    @Test func postgresNotifyWakesAnIdleWorker() async throws {
        try await TestPostgres.withIsolatedSchema("notify") { _, url in
            try await withCatalog(url) { one in
                try await withCatalog(url) { two in
                    let waiter = PostgresJobQueue(catalog: one as! PostgresCatalog, pollInterval: .seconds(3600))
                    let producer = try makeJobQueue(catalog: two)
                    try await withRunning([waiter.wakeups]) {
                        // The listener signals once when its LISTEN is in place.
                        try await poll("the LISTEN connection", within: .seconds(120)) { await waiter.jobWakeupToken() > 0 }
                        let token = await waiter.jobWakeupToken()
                        async let woke: Void = within(.seconds(120), "the enqueue's NOTIFY to wake the waiter") {
                            await waiter.waitForJobs(since: token, timeout: .seconds(3600))
                        }
                        _ = try await producer.enqueue(TestQueues.job("wake"))
                        try await woke
                        #expect(await waiter.jobWakeupToken() > token)
                        let eventToken = try await waiter.latestEventID()
                        async let sawEvent = within(.seconds(120), "the append's NOTIFY to wake the event waiter") {
                            try await waiter.waitForEvents(after: eventToken, timeout: .seconds(3600))
                        }
                        try await producer.append([NewEvent(kind: "test.ping", subject: nil, data: "{}")])
                        #expect(try await sawEvent)
                    }
                }
            }
        }
    }
}
