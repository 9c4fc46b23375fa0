import TestSupport
import Foundation
import SimilaritySearch
import Testing

private let benchmarkEnabled = ProcessInfo.processInfo.environment["LENSCALE_BENCH"] == "1"

/// The search benchmark: runs only with `LENSCALE_BENCH=1`, in a release build, through
/// `bench/search/run.sh`. All data is synthetic (seeded); none of it comes from real photos.
///
/// It lives in the test target because a benchmark executable would need a new target in
/// Package.swift. Sizes come from the environment so a quick run and the full 1M run share code:
/// LENSCALE_BENCH_CODES, LENSCALE_BENCH_VECTORS, LENSCALE_BENCH_DIM, LENSCALE_BENCH_QUERIES,
/// LENSCALE_BENCH_PCA_SAMPLES. Each figure is printed next to its brute-force peer and the ratio.
@Suite(.serialized, .enabled(if: benchmarkEnabled, "set LENSCALE_BENCH=1 (bench/search/run.sh does)"))
struct SearchBenchmark {
    static func setting(_ name: String, _ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0.replacingOccurrences(of: "_", with: "")) } ?? fallback
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Latencies in milliseconds of `body` run once per element, as (median, p99).
    static func latencies<T>(_ items: [T], _ body: (T) throws -> Void) rethrows -> (median: Double, p99: Double) {
        // Warm caches and page tables first; bodies must therefore be idempotent per item.
        for item in items.prefix(5) { try body(item) }
        var times = [Double]()
        times.reserveCapacity(items.count)
        for item in items { times.append(try seconds { try body(item) } * 1_000) }
        times.sort()
        return (times[times.count / 2], times[min(times.count - 1, Int(Double(times.count) * 0.99))])
    }

    static func report(_ line: String) {
        print("[bench] " + line)
    }

    static func ms(_ value: Double) -> String { String(format: value < 1 ? "%.3f ms" : "%.2f ms", value) }

    @Test func hammingRadiusSearch() throws {
        let count = Self.setting("LENSCALE_BENCH_CODES", 1_000_000)
        let queryCount = Self.setting("LENSCALE_BENCH_QUERIES", 500)
        var rng = SeededGenerator(seed: 2_024)
        var codes = (0..<count).map { _ in rng.next() }
        let ids = (0..<count).map(Int64.init)
        // Each query gets planted neighbours at distances 0, 2, ..., 14 at random positions.
        var planted = [[(position: Int, distance: Int)]]()
        let queries = (0..<queryCount).map { _ in rng.next() }
        for query in queries {
            var mine = [(position: Int, distance: Int)]()
            for distance in stride(from: 0, through: 14, by: 2) {
                let position = Int(rng.next() % UInt64(count))
                codes[position] = Synthetic.flip(query, bits: distance, using: &rng)
                mine.append((position, distance))
            }
            planted.append(mine)
        }
        Self.report("hamming: \(count) random 64-bit codes, \(queryCount) queries, 8 planted neighbours each (synthetic)")
        Self.report("kernels: \(SearchKernels.selected)")

        let index = HammingIndex()
        let build = try Self.seconds { try index.add(ids: ids, codes: codes) }
        Self.report(String(format: "build (add %d codes): %.2f s", count, build))

        // A later plant can overwrite an earlier one; only plants still at their distance count.
        let intact = queries.indices.map { q in planted[q].filter { Synthetic.hamming(codes[$0.position], queries[q]) == $0.distance } }
        for maxDistance in [8, 10, 12] {
            var foundPerQuery = [Int](repeating: 0, count: queries.count)
            let plantedExpected = intact.reduce(0) { $0 + $1.filter { $0.distance <= maxDistance }.count }
            let scan = try Self.latencies(Array(queries.indices)) { q in
                let found = Set(try index.search(code: queries[q], maxDistance: maxDistance).map(\.id))
                foundPerQuery[q] = intact[q].filter { $0.distance <= maxDistance && found.contains(Int64($0.position)) }.count
            }
            let plantedFound = foundPerQuery.reduce(0, +)
            // FAISS's own flat scan is several times slower; 100 queries are enough for its median.
            let peerQueries = Array(queries.indices.prefix(100))
            var differs = [Bool](repeating: false, count: peerQueries.count)
            let faiss = try Self.latencies(peerQueries) { q in
                let peer = try index.search(code: queries[q], maxDistance: maxDistance, engine: .faissFlat)
                differs[q] = try peer.map(\.id) != index.search(code: queries[q], maxDistance: maxDistance).map(\.id)
            }
            let mismatches = differs.filter { $0 }.count
            let scalar = try Self.latencies(peerQueries) { q in _ = try index.search(code: queries[q], maxDistance: maxDistance, engine: .scalarScan) }
            Self.report("T=\(maxDistance): scan median \(Self.ms(scan.median)) p99 \(Self.ms(scan.p99)) | scalar-fallback median "
                + "\(Self.ms(scalar.median)) | FAISS IndexBinaryFlat median \(Self.ms(faiss.median)) p99 \(Self.ms(faiss.p99)) | ratio "
                + "\(String(format: "%.1f×", faiss.median / scan.median)) | planted found \(plantedFound)/\(plantedExpected) | "
                + "result mismatches vs FAISS \(mismatches)/\(peerQueries.count)")
            #expect(mismatches == 0)
            #expect(plantedFound == plantedExpected)
        }
        let nearest = try Self.latencies(Array(queries.prefix(200))) { _ = try index.nearest(code: $0, k: 10) }
        Self.report("nearest k=10: median \(Self.ms(nearest.median)) p99 \(Self.ms(nearest.p99))")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lenscale-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("codes.lsindex")
        let save = try Self.seconds { try index.save(to: file) }
        var loaded: HammingIndex?
        let load = try Self.seconds { loaded = try HammingIndex.load(from: file) }
        let size = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        Self.report(String(format: "save %.2f s, load %.2f s, file %.1f MB", save, load, Double(size) / 1e6))
        #expect(loaded?.count == count)
    }

    @Test func vectorTopTen() throws {
        let count = Self.setting("LENSCALE_BENCH_VECTORS", 1_000_000)
        let dimension = Self.setting("LENSCALE_BENCH_DIM", 512)
        let queryCount = Self.setting("LENSCALE_BENCH_QUERIES", 500)
        let exactQueries = min(queryCount, 100)
        var rng = SeededGenerator(seed: 7_777)

        // Broad, overlapping clusters (each spread along its own 32 directions, plus isotropic
        // noise), so neighbourhoods cross IVF cells; 3 near-duplicates (5% noise) of each of the
        // first 50 queries are planted.
        let clusters = Self.setting("LENSCALE_BENCH_CLUSTERS", 100)
        let width = Float(Self.setting("LENSCALE_BENCH_WIDTH_PERCENT", 60)) / 100
        let data = Synthetic.Clustered(clusters: clusters, dimension: dimension, spread: 32, width: width, using: &rng)
        var vectors = [Float]()
        var generate = Self.seconds { vectors = data.points(count, using: &rng) }
        let queries = data.points(queryCount, using: &rng)
        var plantedIDs = [[Int64]]()
        generate += Self.seconds {
            for q in 0..<min(50, queryCount) {
                var mine = [Int64]()
                for _ in 0..<3 {
                    let position = Int(rng.next() % UInt64(count))
                    for j in 0..<dimension { vectors[position * dimension + j] = queries[q * dimension + j] * (1 + 0.05 * rng.gaussian()) }
                    mine.append(Int64(position))
                }
                plantedIDs.append(mine)
            }
        }
        let ids = (0..<count).map(Int64.init)
        Self.report("vectors: \(count) × \(dimension) floats, \(queryCount) queries, synthetic: \(clusters) clusters × 32 directions "
            + "(width \(width)) + noise, generated in \(String(format: "%.1f", generate)) s")

        let flat = try VectorIndex(dimension: dimension, kind: .flat)
        let flatBuild = try Self.seconds { try flat.add(ids: ids, vectors: vectors) }
        var exact = [Set<Int64>](repeating: [], count: exactQueries)
        let flatLatency = try Self.latencies(Array(0..<exactQueries)) { q in
            exact[q] = Set(try flat.search(vector: Synthetic.row(queries, q, dimension: dimension), k: 10).map(\.id))
        }
        Self.report(String(format: "flat (exact peer): build %.1f s, top-10 median %@ p99 %@ over %d queries",
                           flatBuild, Self.ms(flatLatency.median), Self.ms(flatLatency.p99), exactQueries))

        let kind = VectorIndex.Kind.automatic(count: count, dimension: dimension)
        let ivf = try VectorIndex(dimension: dimension, kind: kind)
        var train = 0.0, add = 0.0
        if case .ivf = kind { train = try Self.seconds { try ivf.train(vectors: vectors) } }
        add = try Self.seconds { try ivf.add(ids: ids, vectors: vectors) }
        Self.report(String(format: "%@ (automatic for %d): train %.1f s + add %.1f s = build %.1f s", kind.description, count, train, add, train + add))
        vectors = [] // the indexes hold their own normalised copies

        guard case .ivf(let lists, let defaultProbes) = kind else { return }
        for probes in Set([1, 2, 4, 8, 16, 32, 64, defaultProbes].filter { $0 <= lists }).sorted() {
            var found = [Int](repeating: 0, count: queryCount), plantedHits = [Int](repeating: 0, count: queryCount)
            let latency = try Self.latencies(Array(0..<queryCount)) { q in
                let hits = try ivf.search(vector: Synthetic.row(queries, q, dimension: dimension), k: 10, probes: probes).map(\.id)
                if q < exactQueries { found[q] = hits.filter { exact[q].contains($0) }.count }
                if q < plantedIDs.count { plantedHits[q] = plantedIDs[q].filter(hits.contains).count }
            }
            let plantedFound = plantedHits.reduce(0, +)
            let recall = Double(found.reduce(0, +)) / Double(exactQueries * 10)
            Self.report("IVF probes \(probes)\(probes == defaultProbes ? " (default)" : ""): median \(Self.ms(latency.median)) p99 \(Self.ms(latency.p99)) | "
                + String(format: "recall@10 %.3f | planted %d/%d | flat/IVF median %.0f×", recall, plantedFound, plantedIDs.count * 3,
                         flatLatency.median / latency.median))
            if probes == defaultProbes { #expect(recall >= 0.95, "recall@10 at the default probes") }
        }
    }

    /// How flat latency grows with size: the measurement behind `Kind.flatLimit`.
    @Test func flatLatencyBySize() throws {
        let dimension = Self.setting("LENSCALE_BENCH_DIM", 512)
        var rng = SeededGenerator(seed: 99)
        let data = Synthetic.Clustered(clusters: 100, dimension: dimension, spread: 16, using: &rng)
        let queries = data.points(200, using: &rng)
        for size in [5_000, 10_000, 20_000, 50_000, 100_000] {
            let vectors = data.points(size, using: &rng)
            let flat = try VectorIndex(dimension: dimension, kind: .flat)
            try flat.add(ids: (0..<size).map(Int64.init), vectors: vectors)
            let latency = try Self.latencies(Array(0..<200)) { q in _ = try flat.search(vector: Synthetic.row(queries, q, dimension: dimension), k: 10) }
            Self.report("flat \(size) × \(dimension): top-10 median \(Self.ms(latency.median)) p99 \(Self.ms(latency.p99))")
        }
    }

    @Test func pcaFromTwelveEighty() throws {
        let samples = Self.setting("LENSCALE_BENCH_PCA_SAMPLES", 20_000)
        let input = 1_280, output = 512
        var rng = SeededGenerator(seed: 5)
        // Synthetic embeddings: 96 latent factors with decaying scale plus small isotropic noise.
        let factors = (0..<96 * input).map { _ in rng.gaussian() }
        var vectors = [Float](repeating: 0, count: samples * input)
        for i in 0..<samples {
            for f in 0..<96 {
                let z = rng.gaussian() * 3 / Float(1 + f / 8)
                for j in 0..<input { vectors[i * input + j] += z * factors[f * input + j] }
            }
            for j in 0..<input { vectors[i * input + j] += 0.3 * rng.gaussian() }
        }
        var pca: PCA?
        let fit = try Self.seconds { pca = try PCA(fitting: vectors, inputDimension: input, outputDimension: output) }
        guard let pca else { return }
        var projected = [Float]()
        let apply = try Self.seconds { projected = try pca.apply(vectors) }
        var worst = 0.0
        var total = 0.0
        let mean = (0..<input).map { j in (0..<samples).reduce(0.0) { $0 + Double(vectors[$1 * input + j]) } / Double(samples) }
        for _ in 0..<1_000 {
            let a = Int(rng.next() % UInt64(samples)), b = Int(rng.next() % UInt64(samples))
            let ca = (0..<input).map { Float(Double(vectors[a * input + $0]) - mean[$0]) }
            let cb = (0..<input).map { Float(Double(vectors[b * input + $0]) - mean[$0]) }
            let before = Synthetic.cosine(ca[...], cb[...])
            let after = Synthetic.cosine(projected[a * output..<(a + 1) * output], projected[b * output..<(b + 1) * output])
            worst = max(worst, abs(before - after))
            total += abs(before - after)
        }
        Self.report(String(format: "PCA %d→%d on %d samples: fit %.1f s, apply %.1f µs/vector, retained variance %.4f, "
                           + "cosine change mean %.4f max %.4f", input, output, samples, fit, apply / Double(samples) * 1e6,
                           pca.retainedVariance, total / 1_000, worst))
    }
}
