import ArgumentParser
import AsyncHTTPClient
import Foundation
import Histogram
import NIOCore
import NIOHTTP1

/// An open-loop HTTP load generator with HDR latency percentiles.
///
/// Request i is due at start + i / rate, whether or not earlier requests have answered; its
/// latency is measured from when it was due, not from when it was sent. A closed-loop tool
/// (wrk, ab) waits for answers before sending more, so a slow server slows the load and hides
/// its own queueing ("coordinated omission"); here a slow server shows up as latency.
@main
struct LoadGenerator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lenscale-loadgen",
        abstract: "Open-loop load at a fixed rate; prints throughput, HDR percentiles and cache hits as JSON.")

    @Option(help: "The server, e.g. http://127.0.0.1:8080.")
    var url: String

    enum Workload: String, ExpressibleByArgument, CaseIterable {
        /// POST /v1/classify with a file never sent before in this run.
        case miss
        /// GET /v1/predictions/{sha256} for files classified beforehand.
        case hit
        /// POST /v1/classify with files drawn from a Zipf distribution over --distinct files.
        case zipf
        /// GET /healthz: the framework's floor.
        case hello
    }

    @Option(help: "miss, hit, zipf or hello.")
    var workload: Workload

    @Option(help: "Requests per second.")
    var rate: Double

    @Option(help: "Seconds of measured load (after --warmup).")
    var duration: Double = 10

    @Option(help: "Seconds of unmeasured load first.")
    var warmup: Double = 1

    @Option(help: "A folder of JPEG files (miss, hit, zipf).")
    var images: String?

    @Option(help: "Files in play for zipf (the first N of --images).")
    var distinct: Int = 200

    @Option(help: "The Zipf exponent for zipf.")
    var zipfExponent: Double = 1.1

    @Option(help: "An API key.")
    var token: String?

    @Option(help: "The path for POSTs (the FastAPI peer serves /v1/classify too).")
    var classifyPath = "/v1/classify"

    @Option(help: "Most requests in flight; beyond it a due request counts as dropped.")
    var maxInFlight = 512

    @Option(help: "A label for the JSON line.")
    var label = ""

    func run() async throws {
        let files = try loadFiles()
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: maxInFlight)))
        let plan = RequestPlan(workload: workload, files: files, distinct: distinct, exponent: zipfExponent, classifyPath: classifyPath)
        if workload == .hit {
            // Classify every file once so the GETs that follow are hits.
            for index in files.indices { _ = try? await send(client, plan.prime(index)) }
        }
        let recorder = Recorder()
        let total = Int((warmup + duration) * rate)
        let warmupCount = Int(warmup * rate)
        let start = ContinuousClock.now
        let interval = Duration.nanoseconds(Int64(1e9 / rate))
        let inFlight = InFlight()
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<total {
                let due = start + interval * i
                try? await Task.sleep(until: due, clock: .continuous)
                guard await inFlight.enter(limit: maxInFlight) else {
                    if i >= warmupCount { await recorder.drop() }
                    continue
                }
                let request = plan.request(i)
                group.addTask {
                    let outcome = await send(client, request)
                    let latency = ContinuousClock.now - due
                    await inFlight.leave()
                    if i >= warmupCount { await recorder.record(latency: latency, outcome: outcome) }
                }
            }
        }
        let elapsed = (ContinuousClock.now - start).seconds - warmup
        try? await client.shutdown()
        let report = await recorder.report(label: label, workload: workload.rawValue, rate: rate, elapsed: elapsed)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }

    struct Outcome: Sendable {
        var status: Int
        var cache: String?
    }

    func send(_ client: HTTPClient, _ request: PlannedRequest) async -> Outcome {
        var http = HTTPClientRequest(url: url + request.path)
        http.method = request.body == nil ? .GET : .POST
        if let body = request.body {
            http.body = .bytes(body)
            http.headers.add(name: "Content-Type", value: "image/jpeg")
        }
        if let token { http.headers.add(name: "Authorization", value: "Bearer \(token)") }
        do {
            let response = try await client.execute(http, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 16 * 1024 * 1024)
            return Outcome(status: Int(response.status.code), cache: response.headers.first(name: "X-Lenscale-Cache"))
        } catch {
            return Outcome(status: 0, cache: nil)
        }
    }

    func loadFiles() throws -> [ByteBuffer] {
        guard workload != .hello else { return [] }
        guard let images else { throw ValidationError("--images is required for \(workload.rawValue)") }
        let names = try FileManager.default.contentsOfDirectory(atPath: images).filter { $0.lowercased().hasSuffix(".jpg") }.sorted()
        guard !names.isEmpty else { throw ValidationError("no .jpg files in \(images)") }
        return try names.map { ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: images).appendingPathComponent($0))) }
    }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) * 1e-18
    }
}
