import ArgumentParser
import Foundation
import Planning

/// `lenscale plan`: storage, memory and nodes for a collection, from measured throughput.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Turn measured throughput into storage, memory and node counts.",
        discussion: "Sizes take decimal units (200KB, 1.5TB) and counts take exponents (1e9). The throughput per node is given with --images-per-second, or read from a benchmark result file (bench/classify/run.sh writes bench/out/classify.json).")

    @Option(help: "Images in the collection (for example 1e9).")
    var images: String

    @Option(help: "Average image size (for example 200KB).")
    var averageSize: String

    @Option(help: "Embedding dimensions stored per image.")
    var dims = 512

    enum DType: String, ExpressibleByArgument, CaseIterable { case float32, float16 }

    @Option(help: "Embedding element type: float32 or float16.")
    var dtype: DType = .float32

    @Option(help: "Copies of the data kept by storage.")
    var replication = 3

    @Option(help: "Peak online requests per second.")
    var requestsPerSecond: Double = 0

    @Option(help: "Expected share of requests served from the content-hash cache.")
    var hitRatio = 0.85

    @Option(help: "Online p99 target in milliseconds.")
    var latencyMs: Double = 150

    @Option(help: "Images one node classifies per second.")
    var imagesPerSecond: Double?

    @Option(help: "A benchmark result file (JSON with images_per_second) to read the throughput from.")
    var throughputFile: String?

    @Option(help: "Days allowed to label the whole collection.")
    var backfillDays: Double = 30

    @Option(help: "Share of the collection hot enough to cache in memory.")
    var hotFraction = 0.01

    func run() throws {
        guard let count = ByteCount.parse(images) else { throw ValidationError("--images: '\(images)' is not a number") }
        guard let size = ByteCount.parse(averageSize) else { throw ValidationError("--average-size: '\(averageSize)' is not a size") }
        let throughput = try imagesPerSecond ?? readThroughput()
        let inputs = CapacityInputs(
            images: count, averageImageBytes: size, embeddingDims: dims, embeddingBytesPerValue: dtype == .float16 ? 2 : 4,
            replication: replication, requestsPerSecond: requestsPerSecond, hitRatio: hitRatio, latencyTarget: latencyMs / 1000,
            imagesPerSecondPerNode: throughput, backfillDays: backfillDays, hotFraction: hotFraction)
        if let problem = inputs.problem { throw ValidationError(problem) }
        let plan = CapacityPlan(inputs)
        var table = TextTable(columns: ["ITEM", "VALUE", "HOW"])
        table.append(["raw storage", ByteCount.format(plan.rawBytes), "\(images) images × \(averageSize)"])
        table.append(["embedding storage", ByteCount.format(plan.embeddingBytes), "\(dims) × \(dtype.rawValue) = \(inputs.embeddingDims * inputs.embeddingBytesPerValue) B an image"])
        table.append(["catalog", ByteCount.format(plan.catalogBytes), "\(Int(inputs.catalogBytesPerImage)) B an image (measured)"])
        table.append(["total after replication", ByteCount.format(plan.replicatedBytes), "× \(replication) (embeddings alone: \(ByteCount.format(plan.embeddingBytesReplicated)))"])
        table.append(["cache memory, hot set", ByteCount.format(plan.hotCacheBytes), "\(hotFraction) of images × \(Int(inputs.cacheEntryBytes)) B"])
        table.append(["online nodes", plan.onlineNodes.map(String.init) ?? "unreachable",
                      String(format: "%.0f misses/s at ≤ %.0f %% utilisation for p99 %.0f ms", plan.missRate, max(plan.maxUtilisation, 0) * 100, latencyMs)])
        table.append(["backfill nodes", String(plan.backfillNodes), String(format: "%.0f img/s a node, %g days", throughput, backfillDays)])
        print(table.render(), terminator: "")
        if plan.onlineNodes == nil {
            throw CLIError("a node at \(throughput) img/s cannot meet a p99 of \(latencyMs) ms: raise the target or the node throughput")
        }
    }

    func readThroughput() throws -> Double {
        guard let path = throughputFile else { throw ValidationError("give --images-per-second or --throughput-file") }
        struct Result: Decodable { let images_per_second: Double }
        do {
            return try JSONDecoder().decode(Result.self, from: Data(contentsOf: URL(fileURLWithPath: path))).images_per_second
        } catch {
            throw CLIError("\(path): not a benchmark result with images_per_second: \(error.localizedDescription)")
        }
    }
}
