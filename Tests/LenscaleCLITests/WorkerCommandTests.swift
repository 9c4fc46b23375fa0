import Foundation
import Hashing
import Ingest
import Jobs
import Moderation
import Submissions
import Testing
import TestSupport

@Suite("lenscale worker", .serialized)
struct WorkerCommandTests {
    /// The scale-out setup: `serve` with its in-process worker off queues the jobs, and
    /// `lenscale worker` processes started with the same settings run them. Started as `serve`
    /// is (no --policy, no environment variable), the worker finds the same moderation policy
    /// `serve` does: it used not to, and `moderation.heavy` jobs sat in the queue.
    @Test("a worker started with serve's settings runs every job kind serve queues (image.analyse, moderation.heavy) on PostgreSQL")
    func runsEveryKindServeQueues() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let data = scratch.path("data")
        try await TestBackend.postgres.withCatalogLocation("worker") { catalog in
            let ids = try await Self.queueOneOfEachKind(data: data, catalog: catalog)
            let run = try await CLI.run(["worker", "--data", data, "--catalog", catalog, "--exit-when-idle"],
                                        environment: ["LENSCALE_MODERATION_POLICY": ""], currentDirectory: TestPaths.repositoryRoot,
                                        limit: .seconds(180))
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("moderation.heavy") && run.stderr.contains("image.analyse"), "\(run.stderr)")
            let states = try await Self.states(of: ids, data: data, catalog: catalog)
            #expect(states == [ImageJob.kind: .done, HeavyModerationJob.kind: .done], "\(states)")
        }
    }

    /// A worker without a moderation policy has no `moderation.heavy` handler: with
    /// `--exit-when-idle` it must still exit once its own kinds are done, not wait for ever for
    /// jobs only another worker can run.
    @Test("--exit-when-idle exits once the kinds the worker runs are done, whatever else is queued")
    func exitsWhenItsOwnKindsAreDone() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let data = scratch.path("data")
        let ids = try await Self.queueOneOfEachKind(data: data, catalog: nil)
        // Run from a folder without config/moderation-policy.yaml: no policy, so no heavy stage.
        let run = try await CLI.run(["worker", "--data", data, "--exit-when-idle"],
                                    environment: ["LENSCALE_MODERATION_POLICY": ""], currentDirectory: scratch.directory,
                                    limit: .seconds(180))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("moderation.heavy"), "\(run.stderr)")
        let states = try await Self.states(of: ids, data: data, catalog: nil)
        // The heavy job is left for a worker that runs the heavy stage.
        #expect(states == [ImageJob.kind: .done, HeavyModerationJob.kind: .queued], "\(states)")
    }

    /// A scale-out worker's own metrics: with `--metrics-port` its queue and job counters are
    /// scraped like `serve`'s (before, swift-metrics was never bootstrapped in `worker` and they
    /// went nowhere), and `/readyz` answers for the kubelet.
    @Test("worker --metrics-port serves /metrics with the jobs it ran, and /healthz and /readyz")
    func workerExposesItsMetrics() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let data = scratch.path("data")
        _ = try await Self.queueOneOfEachKind(data: data, catalog: nil)
        let log = URL(fileURLWithPath: scratch.path("worker.log"))
        let worker = try CLI.spawn(["worker", "--data", data, "--metrics-port", "0"],
                                   environment: ["LENSCALE_MODERATION_POLICY": ""], log: log)
        defer { Task { await worker.killAndReap() } }
        var port = 0
        try await poll("the worker's metrics listener", within: .seconds(180), every: .milliseconds(100)) {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            guard let line = text.split(separator: "\n").first(where: { $0.contains("metrics on http://") }),
                  let value = line.split(separator: ":").last?.split(separator: "/").first.flatMap({ Int($0) }) else { return false }
            port = value
            return true
        }
        func get(_ path: String) async throws -> ProcessResult {
            try await runProcess(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(path)"])
        }
        var metrics = ""
        try await poll("lenscale_jobs_done_total for image.analyse on /metrics", within: .seconds(180), every: .milliseconds(200)) {
            metrics = try await get("/metrics").stdout
            return metrics.contains("lenscale_jobs_done_total{kind=\"image.analyse\"} 1")
        }
        #expect(metrics.hasSuffix("\n200"))
        #expect(try await get("/healthz").stdout.hasSuffix("\n200"))
        try await poll("/readyz to answer 200", within: .seconds(60), every: .milliseconds(100)) {
            try await get("/readyz").stdout.hasSuffix("\n200")
        }
        kill(worker.processIdentifier, SIGTERM)
        try await worker.exited(within: .seconds(120), "the worker to stop on SIGTERM")
        #expect(worker.terminationStatus == 0, "\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    @Test("worker refuses a metrics port out of range and a metrics host without a port, naming the flag",
          arguments: [(["--metrics-port", "70000"], "--metrics-port must be 0...65535"),
                      (["--metrics-port=-1"], "--metrics-port must be 0...65535"),
                      (["--metrics-host", "0.0.0.0"], "--metrics-host needs --metrics-port")])
    func badMetricsFlagsAreRefused(flags: [String], message: String) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try await CLI.run(["worker", "--data", scratch.path("data")] + flags, limit: .seconds(60))
        #expect(run.status != 0)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    /// Stores a photo and queues, as `serve` would, an `image.analyse` and a `moderation.heavy`
    /// job for it; returns their ids by kind.
    static func queueOneOfEachKind(data: String, catalog: String?) async throws -> [String: Int64] {
        let classifier = try Classifiers.named("efficientnet-lite0")
        let photo = Array(try Data(contentsOf: TestPaths.sharedImage("rocket.jpg")))
        let sha256 = ContentHash(of: photo).hex
        return try await Workspace.with(WorkspaceLocation(dataDirectory: URL(fileURLWithPath: data), catalog: catalog)) { workspace in
            let queue = try makeJobQueue(catalog: workspace.catalog)
            _ = try await workspace.store.put(photo, key: sha256)
            let analyse = ImageJob(sha256: sha256, model: classifier.model.name, modelVersion: classifier.resultVersion, name: "rocket.jpg")
            return [
                ImageJob.kind: try await queue.enqueue(try analyse.newJob(priority: .online)).id,
                HeavyModerationJob.kind: try await queue.enqueue(try NewJob(
                    kind: HeavyModerationJob.kind, idempotencyKey: "test:\(sha256)", payload: HeavyModerationJob(sha256: sha256),
                    priority: .online, maxAttempts: 1)).id,
            ]
        }
    }

    /// The jobs' states, read back from the catalog.
    static func states(of ids: [String: Int64], data: String, catalog: String?) async throws -> [String: JobState] {
        try await Workspace.with(WorkspaceLocation(dataDirectory: URL(fileURLWithPath: data), catalog: catalog)) { workspace in
            let queue = try makeJobQueue(catalog: workspace.catalog)
            var states: [String: JobState] = [:]
            for (kind, id) in ids { states[kind] = try? await queue.job(id: id)?.state }
            return states
        }
    }
}
