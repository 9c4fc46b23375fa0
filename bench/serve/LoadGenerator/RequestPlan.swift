import Crypto
import Foundation
import NIOCore

/// One request of the plan: a path and, for POSTs, the body.
struct PlannedRequest: Sendable {
    var path: String
    var body: ByteBuffer?
}

/// Which request is sent i-th, decided up front so every server sees the same sequence.
struct RequestPlan: Sendable {
    let workload: LoadGenerator.Workload
    let files: [ByteBuffer]
    let hashes: [String]
    let zipfTable: [Double]
    let classifyPath: String

    init(workload: LoadGenerator.Workload, files: [ByteBuffer], distinct: Int, exponent: Double, classifyPath: String) {
        self.workload = workload
        self.files = files
        self.classifyPath = classifyPath
        hashes = workload == .hit ? files.map { SHA256.hash(data: Array(buffer: $0)).map { String(format: "%02x", $0) }.joined() } : []
        let n = max(1, min(distinct, files.count))
        var cumulative: [Double] = []
        var sum = 0.0
        for rank in 1...n {
            sum += 1 / pow(Double(rank), exponent)
            cumulative.append(sum)
        }
        zipfTable = cumulative.map { $0 / sum }
    }

    func prime(_ index: Int) -> PlannedRequest { PlannedRequest(path: classifyPath, body: files[index]) }

    func request(_ i: Int) -> PlannedRequest {
        switch workload {
        case .hello: return PlannedRequest(path: "/healthz", body: nil)
        case .miss: return PlannedRequest(path: classifyPath, body: files[i % files.count])
        case .hit: return PlannedRequest(path: "/v1/predictions/\(hashes[i % hashes.count])", body: nil)
        case .zipf:
            // A fixed pseudo-random draw per i (SplitMix64), so runs are repeatable.
            var x = UInt64(i) &+ 0x9E37_79B9_7F4A_7C15
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            x ^= x >> 31
            let u = Double(x >> 11) / Double(1 << 53)
            let rank = zipfTable.firstIndex { $0 >= u } ?? (zipfTable.count - 1)
            return PlannedRequest(path: classifyPath, body: files[rank])
        }
    }
}

/// Caps requests in flight, so an overwhelmed server cannot exhaust the generator's memory.
actor InFlight {
    private var count = 0
    func enter(limit: Int) -> Bool {
        guard count < limit else { return false }
        count += 1
        return true
    }
    func leave() { count -= 1 }
}
