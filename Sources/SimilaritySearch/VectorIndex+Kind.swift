extension VectorIndex {
    /// How a `VectorIndex` finds neighbours.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// Exact: every query scores every vector. No training, any size, but the cost grows
        /// linearly: at 512 dimensions a query reads 2 KB per vector.
        case flat
        /// Approximate: FAISS `IndexIVFFlat`. Spherical k-means splits the vectors into `lists`
        /// cells; a query scans the `probes` cells whose centroids are nearest. Needs training
        /// on at least 39 vectors per list before vectors can be added.
        case ivf(lists: Int, probes: Int)

        /// The largest collection, counted in 512-dimension vectors, for which `automatic`
        /// picks `.flat`.
        ///
        /// Measured on the 2-core development machine: a flat top-10 query costs about
        /// 0.12 ms per 1,000 vectors of 512 floats (memory-bound), so 20,000 vectors answer in
        /// about 2.5 ms, half the 5 ms budget, exactly and with no training. Above that an IVF
        /// index answers in about a millisecond at recall@10 ≥ 0.95; below it IVF would need
        /// too few vectors per list to train well anyway.
        public static let flatLimit = 20_000

        /// `.flat` up to `flatLimit` vectors (scaled by dimension: the cost is count × dimension),
        /// otherwise `ivf(expectedCount:)`.
        public static func automatic(count: Int, dimension: Int = 512) -> Kind {
            let work = Double(max(count, 0)) * Double(max(dimension, 1)) / 512
            return work <= Double(flatLimit) ? .flat : ivf(expectedCount: count)
        }

        /// IVF parameters measured to give recall@10 ≥ 0.95 for a collection of about `count`.
        ///
        /// lists ≈ 2·√count (a power of two), so a cell holds about √count / 2 vectors and the
        /// coarse step (scoring every centroid) stays a small part of the query; probes is 1/64
        /// of the lists but at least 8, which held recall@10 at or above 0.95 from 50k to 1M
        /// vectors on the synthetic benchmark data (bench/search/README.md). Real embeddings
        /// cluster more than that data, which helps recall; measure on your own data with
        /// `search(vector:k:probes:)` before lowering probes.
        public static func ivf(expectedCount count: Int) -> Kind {
            let target = 2 * Double(max(count, 1)).squareRoot()
            var lists = 16
            while lists < 65536 && Double(lists) * 1.5 < target { lists *= 2 }
            return .ivf(lists: lists, probes: min(lists, max(8, lists / 64)))
        }

        public var description: String {
            switch self {
            case .flat: "flat (exact)"
            case .ivf(let lists, let probes): "IVF (\(lists) lists, \(probes) probes)"
            }
        }
    }
}
