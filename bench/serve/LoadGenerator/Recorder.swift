import Foundation
import Histogram

/// Latencies (µs, HDR, 3 significant digits) and outcome counts of the measured requests.
actor Recorder {
    private var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
    private var statuses: [Int: Int] = [:]
    private var hits = 0
    private var misses = 0
    private var dropped = 0

    func record(latency: Duration, outcome: LoadGenerator.Outcome) {
        _ = histogram.record(UInt64(max(0, latency.seconds * 1e6)))
        statuses[outcome.status, default: 0] += 1
        if outcome.cache == "hit" { hits += 1 } else if outcome.cache == "miss" { misses += 1 }
    }

    func drop() { dropped += 1 }

    struct Report: Encodable {
        var label: String
        var workload: String
        var offeredRate: Double
        var completed: Int
        var ok: Int
        var throughput: Double
        var p50Ms: Double
        var p95Ms: Double
        var p99Ms: Double
        var maxMs: Double
        var statuses: [String: Int]
        var hitRatio: Double?
        var dropped: Int
    }

    func report(label: String, workload: String, rate: Double, elapsed: Double) -> Report {
        let completed = statuses.values.reduce(0, +)
        let ok = statuses[200] ?? 0
        func ms(_ p: Double) -> Double { Double(histogram.valueAtPercentile(p)) / 1000 }
        return Report(
            label: label, workload: workload, offeredRate: rate, completed: completed, ok: ok,
            throughput: Double(ok) / max(elapsed, 1e-9),
            p50Ms: ms(50), p95Ms: ms(95), p99Ms: ms(99), maxMs: Double(histogram.max) / 1000,
            statuses: Dictionary(uniqueKeysWithValues: statuses.map { (String($0.key), $0.value) }),
            hitRatio: hits + misses > 0 ? Double(hits) / Double(hits + misses) : nil,
            dropped: dropped)
    }
}
