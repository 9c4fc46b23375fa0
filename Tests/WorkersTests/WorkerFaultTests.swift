import Foundation
import Testing
import TestSupport

/// Several `lenscale worker` processes against a real PostgreSQL: crashes, restarts, and the
/// invariants that must survive them.
@Suite(.serialized) struct WorkerFaultTests {
    /// Images in the fault tests; 1,000 by default (`LENSCALE_FAULT_IMAGES` to change).
    static var imageCount: Int {
        ProcessInfo.processInfo.environment["LENSCALE_FAULT_IMAGES"].flatMap(Int.init) ?? 1_000
    }

    struct Setup {
        let url: String
        let schema: String
        let data: URL
        let images: URL
        var common: [String] { ["--catalog", url, "--data", data.path] }

        func stats() async throws -> StatsOutput {
            let result = try await CLI.run(["queue", "stats", "--format", "json"] + common)
            guard result.status == 0 else { throw TestPostgresError(message: "queue stats failed: \(result.stderr)") }
            return try JSONDecoder().decode(StatsOutput.self, from: Data(result.stdout.utf8))
        }

        func sql(_ query: String) async throws -> String {
            try await TestPostgres.psql("SET search_path TO \(schema); \(query)").trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func worker(_ name: String, extra: [String] = []) throws -> Process {
            // Like workers on separate hosts: one catalog and one store, a data folder (for the
            // duplicate indexes) each.
            let own = ["--catalog", url, "--data", data.appendingPathComponent("host-\(name)").path,
                       "--store", data.appendingPathComponent("objects").path]
            return try CLI.spawn(["worker", "--lease", "5", "--threads", "1", "--exit-when-idle"] + own + extra,
                          log: data.appendingPathComponent("\(name).log"))
        }

        /// A `lenscale serve` replica without a worker, on the shared catalog and store.
        func apiReplica(_ name: String) async throws -> APIReplica {
            let folder = data.appendingPathComponent("host-\(name)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let config = folder.appendingPathComponent("serve.yaml")
            try "worker:\n  enabled: false\n".write(to: config, atomically: true, encoding: .utf8)
            let log = data.appendingPathComponent("\(name).log")
            let process = try CLI.spawn(["serve", "--config", config.path, "--insecure-no-auth", "--port", "0", "--threads", "1",
                                         "--catalog", url, "--data", folder.path, "--store", data.appendingPathComponent("objects").path],
                                        log: log)
            let deadline = ContinuousClock.now + .seconds(180)
            while ContinuousClock.now < deadline, process.isRunning {
                if let line = self.log(name).split(separator: "\n").first(where: { $0.contains("listening on http://") }),
                   let port = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
                    return APIReplica(name: name, process: process, port: port)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw TestPostgresError(message: "API replica \(name) did not start: \(self.log(name))")
        }

        func log(_ name: String) -> String {
            (try? String(contentsOf: data.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
        }

        /// What must hold at the end whatever happened on the way.
        func expectEverythingProcessedOnce(batch: String, images: Int) async throws {
            let stats = try await stats()
            #expect(stats.counts["done"] == images, "\(stats.counts)")
            #expect(stats.counts["queued"] == 0 && stats.counts["running"] == 0 && stats.counts["dead"] == 0)
            #expect(try await sql("SELECT count(*) FROM images") == String(images))
            #expect(try await sql("SELECT count(*) FROM predictions WHERE model = 'efficientnet-lite0'") == String(images))
            #expect(try await sql("SELECT count(*) FROM (SELECT sha256 FROM predictions GROUP BY sha256, model HAVING count(*) > 1) d") == "0",
                    "exactly one prediction row per image and model")
            #expect(try await sql("SELECT count(*) FROM embeddings WHERE model = 'efficientnet-lite0'") == String(images))
            #expect(try await sql("SELECT count(*) FROM batch_items WHERE batch_id = '\(batch)' AND state <> 'done'") == "0")
            #expect(try await sql("SELECT completed_at IS NOT NULL FROM batches WHERE id = '\(batch)'") == "t")
            #expect(try await sql("SELECT count(*) FROM events WHERE kind = 'batch.completed' AND subject = '\(batch)'") == "1")
            #expect(try await sql("SELECT count(*) FROM events WHERE kind = 'image.ingested'") == String(images))
        }
    }

    func withSetup(_ label: String, _ body: (Setup) async throws -> Void) async throws {
        let images = try await JPEGSet.make(count: Self.imageCount)
        try await TestPostgres.withIsolatedSchema(label) { schema, url in
            let data = try TestPaths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: data) }
            try await body(Setup(url: url, schema: schema, data: data, images: images))
        }
    }

    func submit(_ setup: Setup) async throws -> String {
        let result = try await CLI.run(["ingest", "--async", setup.images.path] + setup.common)
        #expect(result.status == 0, "\(result.stderr)")
        let id = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.hasPrefix("b_"), "ingest --async prints the batch id: \(result.stdout)")
        return id
    }

    func waitUntil(_ processes: [Process], timeout: Duration = .seconds(900)) async throws {
        let deadline = ContinuousClock.now + timeout
        while processes.contains(where: \.isRunning), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        for process in processes where process.isRunning {
            Issue.record("a worker did not finish in time")
        }
        // Reaped before anyone reads `terminationStatus`, which traps on a running process.
        for process in processes { await process.killAndReap() }
    }

    /// Three workers; one is SIGKILLed mid-run. Its jobs come back after their lease and every
    /// image ends with exactly one prediction; nothing is lost or stuck.
    @Test func killedWorkerLosesNoJob() async throws {
        try await withSetup("kill") { setup in
            let batch = try await submit(setup)
            #expect(try await setup.stats().counts["queued"] == Self.imageCount)
            let workers = try (0..<3).map { try setup.worker("w\($0)") }
            var killed = false
            while !killed, workers.contains(where: \.isRunning) {
                let stats = try await setup.stats()
                if (stats.counts["done"] ?? 0) >= Self.imageCount / 4, (stats.counts["running"] ?? 0) > 0, workers[0].isRunning {
                    kill(workers[0].processIdentifier, SIGKILL)
                    killed = true
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(killed, "the worker was killed mid-run")
            try await waitUntil(Array(workers.dropFirst()))
            try await workers[0].exited(within: .seconds(60), "the SIGKILLed worker to be reaped")
            #expect(workers[0].terminationReason == .uncaughtSignal)
            #expect(workers[1].terminationStatus == 0 && workers[2].terminationStatus == 0, "\(setup.log("w1"))")
            try await setup.expectEverythingProcessedOnce(batch: batch, images: Self.imageCount)
            let reclaimed = try await setup.sql("SELECT count(*) FROM jobs WHERE attempts > 1")
            #expect((Int(reclaimed) ?? 0) > 0, "the killed worker's jobs were claimed again after their lease")
        }
    }

    /// PostgreSQL restarts five times while three workers are busy and two API replicas answer
    /// reads: the workers ride every restart out by themselves (no call waits past its
    /// deadline), finish the batch with each image processed once, and exit when idle; the
    /// replicas answer each request with a success or a clean 503, and serve again after.
    @Test func workersRecoverFromPostgresRestarts() async throws {
        try await withSetup("restart") { setup in
            let batch = try await submit(setup)
            let replicas = try await (0..<2).asyncMap { try await setup.apiReplica("api\($0)") }
            defer { for replica in replicas { replica.stop() } }
            let workers = try (0..<3).map { try setup.worker("w\($0)") }
            let script = TestPaths.repositoryRoot.appendingPathComponent("tools/postgres.sh").path
            var answers: [Int] = []
            for restart in 1...5 {
                // Spread over the run: after 12 %, 24 %, ... of the images are done.
                let target = Self.imageCount * 12 * restart / 100
                while (try? await setup.stats().counts["done"] ?? 0) ?? 0 < target, workers.contains(where: \.isRunning) {
                    try await Task.sleep(for: .milliseconds(100))
                }
                // system() rather than Process: Foundation sometimes misses this child's exit (it
                // stays a zombie and waitUntilExit spins), and the restarted postmaster must not
                // inherit this process's pipes, or reading them to their end never returns.
                let status = system("pg_ctlcluster 15 main restart -m fast >/dev/null 2>&1 && '\(script)' start >/dev/null 2>&1")
                #expect(status == 0, "restart \(restart) of PostgreSQL failed")
                answers += try await replicas.asyncMap { try await $0.status(of: "/v1/batches/\(batch)") }
            }
            try await waitUntil(workers, timeout: .seconds(600))
            try await setup.expectEverythingProcessedOnce(batch: batch, images: Self.imageCount)
            #expect(answers.allSatisfy { $0 == 200 || $0 == 503 }, "replica answers during the restarts: \(answers)")
            for replica in replicas {
                #expect(replica.process.isRunning, "an API replica died: \(setup.log(replica.name))")
                #expect(try await replica.status(of: "/v1/batches/\(batch)") == 200, "an API replica did not serve again after the restarts")
            }
            #expect(workers.allSatisfy { $0.terminationReason == .exit && $0.terminationStatus == 0 },
                    "\(setup.log("w0"))\n\(setup.log("w1"))\n\(setup.log("w2"))")
        }
    }

    /// PostgreSQL really stopped, not faked by a proxy: an API replica's `/readyz` turns 503 and
    /// names the catalog but nothing of its address or credentials (it needs no key), a read
    /// answers a clean JSON 503, the process stays up, and everything is back once PostgreSQL is.
    @Test func readinessWhilePostgresIsStopped() async throws {
        try await withSetup("stopped") { setup in
            let batch = try await submit(setup)
            let replica = try await setup.apiReplica("api")
            defer { replica.stop() }
            // Ready once its models are warm.
            let ready = try await replica.readiness(until: 200, within: .seconds(120))
            try #require(ready.status == 200, "the replica never became ready: \(ready.body)")
            let script = TestPaths.repositoryRoot.appendingPathComponent("tools/postgres.sh").path
            // Whatever happens below, the next test finds PostgreSQL running.
            defer { _ = system("'\(script)' start >/dev/null 2>&1") }
            #expect(system("pg_ctlcluster 15 main stop -m fast >/dev/null 2>&1") == 0, "stopping PostgreSQL failed")
            let down = try await replica.readiness(until: 503, within: .seconds(60))
            #expect(down.status == 503, "/readyz with PostgreSQL stopped: \(down.status) \(down.body)")
            #expect(down.body.contains("catalog"), "\(down.body)")
            for secret in ["5432", "127.0.0.1", "postgres://", "lenscale:", setup.schema] {
                #expect(!down.body.contains(secret), "/readyz leaks \(secret): \(down.body)")
            }
            let read = try await replica.answer(to: "/v1/batches/\(batch)")
            #expect(read.status == 503 && read.body.contains("\"error\""), "a read with PostgreSQL stopped: \(read.status) \(read.body)")
            #expect(replica.process.isRunning, "the replica died: \(setup.log(replica.name))")

            #expect(system("'\(script)' start >/dev/null 2>&1") == 0, "starting PostgreSQL again failed")
            let back = try await replica.readiness(until: 200, within: .seconds(120))
            #expect(back.status == 200, "/readyz after PostgreSQL came back: \(back.status) \(back.body)")
            #expect(try await replica.answer(to: "/v1/batches/\(batch)").status == 200)
        }
    }

    /// PostgreSQL paused (every server process SIGSTOPped, as a stalled host or a network
    /// partition looks from outside) under load, for as long as the checks take, then resumed: calls fail within their
    /// deadline instead of hanging, a worker told to stop during the pause exits in bounded time,
    /// and after the resume the rest finish the batch with nothing lost or done twice.
    @Test func workersRideOutAPausedServer() async throws {
        try await withSetup("pause") { setup in
            let batch = try await submit(setup)
            // A short client deadline, so the pause shows as failed calls within the test's time.
            let url = setup.url + "&query_timeout=3"
            let fast = Setup(url: url, schema: setup.schema, data: setup.data, images: setup.images)
            let workers = try (0..<3).map { try fast.worker("w\($0)") }
            while (try? await setup.stats().counts["done"] ?? 0) ?? 0 < Self.imageCount / 5, workers.contains(where: \.isRunning) {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(system("pkill -STOP -u postgres") == 0, "pausing PostgreSQL failed")
            // Resumed whatever happens below: a server left paused would fail every later test.
            defer { _ = system("pkill -CONT -u postgres") }
            do {
                // A client call during the pause fails with a clear error instead of hanging.
                // (Past the limit the call is killed and the test fails naming it: a hang.)
                let stats = try await CLI.run(["queue", "stats", "--catalog", url, "--data", setup.data.path], limit: .seconds(120))
                #expect(stats.status != 0, "queue stats answered while the server was paused: \(stats.stdout)")
                #expect(stats.stderr.contains("did not answer") || stats.stderr.contains("cannot connect"), "\(stats.stderr)")
                // SIGTERM during the pause: the worker gives its jobs up within a bounded time.
                kill(workers[2].processIdentifier, SIGTERM)
                let stopping = ContinuousClock.now
                while workers[2].isRunning, ContinuousClock.now - stopping < .seconds(60) {
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(!workers[2].isRunning, "a worker told to stop while the database was paused did not exit")
                // Resumed as soon as the checks are done: waiting out a fixed pause proved
                // nothing the checks above do not, and cost the suite 20 s of sleep.
            }
            #expect(system("pkill -CONT -u postgres") == 0, "resuming PostgreSQL failed")
            try await waitUntil(workers, timeout: .seconds(600))
            try await setup.expectEverythingProcessedOnce(batch: batch, images: Self.imageCount)
            #expect(workers.prefix(2).allSatisfy { $0.terminationReason == .exit && $0.terminationStatus == 0 },
                    "\(setup.log("w0"))\n\(setup.log("w1"))")
        }
    }
}

/// One `lenscale serve` process of a fault test.
struct APIReplica {
    let name: String
    let process: Process
    let port: Int

    /// The HTTP status of a GET (0 when no answer came within 60 s).
    func status(of path: String) async throws -> Int {
        let result = try await runProcess(URL(fileURLWithPath: "/usr/bin/curl"),
                                    ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "60", "http://127.0.0.1:\(port)\(path)"])
        return Int(result.stdout) ?? 0
    }

    /// The HTTP status and body of a GET (status 0 when no answer came within 60 s).
    func answer(to path: String) async throws -> (status: Int, body: String) {
        let result = try await runProcess(URL(fileURLWithPath: "/usr/bin/curl"),
                                          ["-s", "-w", "\n%{http_code}", "--max-time", "60", "http://127.0.0.1:\(port)\(path)"])
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// `/readyz` polled until it answers `status`, or `limit` passes; the last answer.
    func readiness(until status: Int, within limit: Duration) async throws -> (status: Int, body: String) {
        let deadline = ContinuousClock.now + limit
        var answer = try await answer(to: "/readyz")
        while answer.status != status, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            answer = try await self.answer(to: "/readyz")
        }
        return answer
    }

    /// SIGKILLs the replica; a `defer` cannot await, and a SIGKILLed child is reaped at once.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var values: [T] = []
        for element in self { values.append(try await transform(element)) }
        return values
    }
}
