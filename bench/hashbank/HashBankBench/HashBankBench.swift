import Foundation
import Hashing

/// The match-index benchmark for bench/hashbank/run.sh: a synthetic bank of random PDQ hashes
/// with near matches planted around each query at distances 0...40, then lookups/s (two
/// concurrent lanes, one per core), single-lane p50/p99 latency, recall and precision against the
/// planted neighbours for every query and against a full brute-force scan for a sample, build
/// time and resident memory.
///
///     HashBankBench [--count 10000000] [--queries 2000] [--threshold 31] [--brute 20]
@main struct HashBankBench {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func option(_ name: String, _ fallback: Int) -> Int {
        let args = CommandLine.arguments
        guard let i = args.firstIndex(of: name), i + 1 < args.count, let value = Int(args[i + 1]) else { return fallback }
        return value
    }

    static func memory(_ field: String) -> String {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix(field) }.map { String($0) } ?? "\(field) ?"
    }

    static func seconds(_ start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func main() async {
        let count = option("--count", 10_000_000), queryCount = option("--queries", 2000)
        let threshold = option("--threshold", 31), bruteCount = option("--brute", 20)
        var rng = SplitMix(state: 2026)
        let queries = (0..<queryCount).map { _ in PDQHash(lanes: (rng.next(), rng.next(), rng.next(), rng.next())) }
        var hashes: [PDQHash] = []
        hashes.reserveCapacity(count + 41 * queryCount)
        for _ in 0..<count { hashes.append(PDQHash(lanes: (rng.next(), rng.next(), rng.next(), rng.next()))) }
        // planted[q][d] is the position of the neighbour of query q at distance d.
        var planted: [[Int]] = []
        for query in queries {
            var row: [Int] = []
            for distance in 0...40 {
                var bits = (0..<256).map(query.bit)
                for b in Array(0..<256).shuffled(using: &rng).prefix(distance) { bits[b].toggle() }
                row.append(hashes.count)
                hashes.append(PDQHash(bits: bits))
            }
            planted.append(row)
        }
        print("bank: \(hashes.count) hashes (\(count) random + \(41 * queryCount) planted), threshold \(threshold)")

        let buildStart = ContinuousClock.now
        let index = PDQIndex(hashes, chunkCount: nil)
        hashes = []
        print(String(format: "build: %.2f s, %d chunks; %@; %@", seconds(buildStart), index.chunkCount,
                     memory("VmRSS"), memory("VmHWM")))

        // Latency, one lane.
        var latencies: [Double] = []
        var missed = 0, wrong = 0
        for (q, query) in queries.enumerated() {
            let start = ContinuousClock.now
            let found = index.matches(of: query, within: threshold)
            latencies.append(seconds(start))
            let positions = Set(found.map(\.position))
            for d in 0...40 where d <= threshold && !positions.contains(planted[q][d]) { missed += 1 }
            for match in found where match.distance > threshold || index[match.position].distance(to: query) != match.distance {
                wrong += 1
            }
        }
        latencies.sort()
        let p50 = latencies[latencies.count / 2] * 1e3, p99 = latencies[min(latencies.count - 1, latencies.count * 99 / 100)] * 1e3
        let plantedWithin = queryCount * (min(threshold, 40) + 1)
        print(String(format: "latency (1 lane): p50 %.3f ms, p99 %.3f ms", p50, p99))
        print("planted recall: \(plantedWithin - missed)/\(plantedWithin); results beyond threshold or misreported: \(wrong)")

        // Throughput, two lanes.
        let lanes = 2
        let throughputStart = ContinuousClock.now
        await withTaskGroup(of: Int.self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    var total = 0
                    for q in stride(from: lane, to: queries.count, by: lanes) { total += index.matches(of: queries[q], within: threshold).count }
                    return total
                }
            }
            for await _ in group {}
        }
        print(String(format: "throughput (%d lanes): %.0f lookups/s", lanes, Double(queryCount) / seconds(throughputStart)))

        // Against brute force: identical answers.
        var identical = 0
        let bruteStart = ContinuousClock.now
        for query in queries.prefix(bruteCount) {
            let fast = index.matches(of: query, within: threshold)
            let slow = index.bruteForceMatches(of: query, within: threshold)
            if fast.map(\.position) == slow.map(\.position) { identical += 1 }
        }
        let bruteQueries = min(bruteCount, queryCount)
        print(String(format: "brute force: %d/%d queries identical (recall and precision %.3f); brute scan %.1f ms/query",
                     identical, bruteQueries, bruteQueries == 0 ? 1.0 : Double(identical) / Double(bruteQueries),
                     bruteQueries == 0 ? 0 : seconds(bruteStart) * 1e3 / Double(bruteQueries)))
        print(memory("VmHWM"))
        if missed > 0 || wrong > 0 || identical != bruteQueries { exit(1) }
    }
}
