import Foundation
import TestSupport

/// Deterministic synthetic data for the SimilaritySearch tests and benchmark.
///
/// Everything is seeded so a failing test fails the same way every run; nothing here comes from
/// real photos. Brute-force references live here too, written plainly in Swift (Double sums) so
/// they share no code with the shim they check.

enum Synthetic {
    /// `code` with `count` distinct bits flipped.
    static func flip(_ code: UInt64, bits count: Int, using rng: inout SeededGenerator) -> UInt64 {
        var positions = Array(0..<64)
        positions.shuffle(using: &rng)
        return positions.prefix(count).reduce(code) { $0 ^ (UInt64(1) << UInt64($1)) }
    }

    static func hamming(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }

    /// Every (id, distance) within `maxDistance`, sorted by distance then id.
    static func bruteForceRange(ids: [Int64], codes: [UInt64], query: UInt64, maxDistance: Int) -> [Pair] {
        zip(ids, codes).compactMap { id, code in
            let d = hamming(code, query)
            return d <= maxDistance ? Pair(id: id, value: Double(d)) : nil
        }.sorted { ($0.value, $0.id) < ($1.value, $1.id) }
    }

    /// The k nearest (id, distance), sorted by distance then id.
    static func bruteForceNearest(ids: [Int64], codes: [UInt64], query: UInt64, k: Int) -> [Pair] {
        Array(bruteForceRange(ids: ids, codes: codes, query: query, maxDistance: 64).prefix(k))
    }

    /// Gaussian vectors with varied norms (row-major), so tests see that normalisation happens.
    static func gaussianVectors(count: Int, dimension: Int, using rng: inout SeededGenerator) -> [Float] {
        var out = [Float]()
        out.reserveCapacity(count * dimension)
        for _ in 0..<count {
            let scale = 0.1 + Float(rng.next() % 1000) / 100
            for _ in 0..<dimension { out.append(rng.gaussian() * scale) }
        }
        return out
    }

    /// Clustered vectors: `clusters` random centres, each point a centre plus a random
    /// combination of that cluster's own `spread` directions plus isotropic noise. Neighbours
    /// are meaningful (mostly same cluster, ordered by position inside it), unlike uniform noise.
    struct Clustered {
        let dimension: Int
        let centres: [Float]
        let bases: [Float]  // per cluster: spread × dimension
        let spread: Int

        /// `width` scales each cluster's own directions: larger clusters overlap more and their
        /// neighbourhoods straddle IVF cell boundaries, which is what makes IVF recall hard.
        init(clusters: Int, dimension: Int, spread: Int = 8, width: Float = 0.35, using rng: inout SeededGenerator) {
            self.dimension = dimension
            self.spread = spread
            centres = (0..<clusters * dimension).map { _ in rng.gaussian() }
            bases = (0..<clusters * spread * dimension).map { _ in rng.gaussian() * width }
        }

        var clusterCount: Int { centres.count / dimension }

        /// Appends one point from a random cluster to `out`.
        func append(to out: inout [Float], using rng: inout SeededGenerator) {
            let c = Int(rng.next() % UInt64(clusterCount))
            var z = [Float](repeating: 0, count: spread)
            for i in 0..<spread { z[i] = rng.gaussian() }
            let start = out.count
            for j in 0..<dimension { out.append(centres[c * dimension + j] + 0.25 * rng.gaussian()) }
            for s in 0..<spread {
                let base = (c * spread + s) * dimension
                let w = z[s]
                for j in 0..<dimension { out[start + j] += w * bases[base + j] }
            }
        }

        func points(_ count: Int, using rng: inout SeededGenerator) -> [Float] {
            var out = [Float]()
            out.reserveCapacity(count * dimension)
            for _ in 0..<count { append(to: &out, using: &rng) }
            return out
        }
    }

    /// Cosine similarity computed in Double.
    static func cosine(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        return dot / (na.squareRoot() * nb.squareRoot())
    }

    /// Exact cosine top-k by brute force in Double, best first, ties by smaller id.
    static func bruteForceCosine(ids: [Int64], vectors: [Float], dimension: Int, query: [Float], k: Int) -> [Pair] {
        let q = query[...]
        return ids.indices.map { i in
            Pair(id: ids[i], value: cosine(vectors[i * dimension..<(i + 1) * dimension], q))
        }.sorted { ($0.value, $1.id) > ($1.value, $0.id) }.prefix(k).map { $0 }
    }

    static func row(_ vectors: [Float], _ i: Int, dimension: Int) -> [Float] {
        Array(vectors[i * dimension..<(i + 1) * dimension])
    }
}

/// An id with a distance or score, for comparing against the brute-force references.
struct Pair: Equatable, CustomStringConvertible {
    let id: Int64
    let value: Double
    var description: String { "(\(id), \(value))" }
}
