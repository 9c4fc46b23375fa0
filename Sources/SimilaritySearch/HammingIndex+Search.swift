import CFAISS

extension HammingIndex {
    /// Which implementation answers a radius query. Public callers always get `.scan`; the
    /// others exist so tests and the benchmark can check and time it against the scalar
    /// fallback and FAISS's own `IndexBinaryFlat::range_search` in the same process.
    package enum Engine: Sendable, CaseIterable {
        /// The shim's fastest scan for this CPU (AVX2, else POPCNT, else portable code).
        case scan
        /// The shim's scalar fallback, which AVX2 machines would otherwise never run.
        case scalarScan
        /// FAISS's `IndexBinaryFlat::range_search`, the reference peer.
        case faissFlat
    }

    /// Every code within `maxDistance` bits of `code`, nearest first, ties by smaller id.
    ///
    /// - Parameter maxDistance: inclusive, 0...64. For perceptual-hash duplicates 8–12 is typical.
    public func search(code: UInt64, maxDistance: Int) throws(SearchError) -> [(id: Int64, distance: Int)] {
        try search(code: code, maxDistance: maxDistance, engine: .scan)
    }

    package func search(code: UInt64, maxDistance: Int, engine: Engine) throws(SearchError) -> [(id: Int64, distance: Int)] {
        guard (0...64).contains(maxDistance) else {
            throw .invalidArgument("maxDistance must be between 0 and 64 for 64-bit codes (got \(maxDistance))")
        }
        var hits: OpaquePointer?
        let shimEngine = switch engine {
        case .scan: LS_HAMMING_SCAN
        case .scalarScan: LS_HAMMING_SCAN_SCALAR
        case .faissFlat: LS_HAMMING_FAISS_FLAT
        }
        let status = ls_hamming_range(handle, code, Int32(maxDistance), shimEngine, &hits)
        try SearchError.check(status)
        return Self.pairs(ShimHits.take(hits))
    }

    /// The `k` codes nearest to `code`, nearest first, ties by smaller id (so when several codes
    /// tie at the cut-off distance, the smaller ids are kept). Fewer when the index is smaller.
    public func nearest(code: UInt64, k: Int) throws(SearchError) -> [(id: Int64, distance: Int)] {
        guard k >= 1 else { throw .invalidArgument("k must be at least 1 (got \(k))") }
        var hits: OpaquePointer?
        try SearchError.check(ls_hamming_nearest(handle, code, k, &hits))
        return Self.pairs(ShimHits.take(hits))
    }

    private static func pairs(_ hits: (ids: [Int64], values: [Float])) -> [(id: Int64, distance: Int)] {
        zip(hits.ids, hits.values).map { (id: $0, distance: Int($1)) }
    }
}
