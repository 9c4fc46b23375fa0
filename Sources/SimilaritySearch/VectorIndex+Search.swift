import CFAISS

extension VectorIndex {
    /// The `k` most similar vectors to `vector` by cosine, best first, ties by smaller id.
    /// Fewer when the index holds fewer than `k`.
    public func search(vector: [Float], k: Int) throws(SearchError) -> [(id: Int64, score: Float)] {
        try search(vector: vector, k: k, probes: 0)
    }

    /// Like `search(vector:k:)`, keeping only hits with a cosine of at least `minScore`.
    ///
    /// For `.ivf` this filters the approximate top `k`; it is not a guarantee that every vector
    /// above `minScore` is returned. Raise `k` when many hits are expected.
    public func search(vector: [Float], minScore: Float, k: Int) throws(SearchError) -> [(id: Int64, score: Float)] {
        guard !minScore.isNaN else { throw .invalidArgument("minScore is NaN; pass a cosine between -1 and 1") }
        return try search(vector: vector, k: k).filter { $0.score >= minScore }
    }

    /// Like `search(vector:k:)`, scanning `probes` IVF cells instead of the kind's default:
    /// more probes, higher recall, slower. Ignored by `.flat`; 0 means the default.
    public func search(vector: [Float], k: Int, probes: Int) throws(SearchError) -> [(id: Int64, score: Float)] {
        guard vector.count == dimension else { throw .dimensionMismatch(expected: dimension, actual: vector.count) }
        guard k >= 1 else { throw .invalidArgument("k must be at least 1 (got \(k))") }
        guard probes >= 0 else { throw .invalidArgument("probes must be 0 (the default) or more (got \(probes))") }
        var hits: OpaquePointer?
        let status = vector.withUnsafeBufferPointer {
            ls_vectors_search(handle, $0.baseAddress!, k, Int32(clamping: probes), &hits)
        }
        try SearchError.check(status)
        let taken = ShimHits.take(hits)
        return zip(taken.ids, taken.values).map { (id: $0, score: $1) }
    }
}
