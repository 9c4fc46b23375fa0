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
        /// Measured on the 2-core development machine (bench/search/README.md): a flat top-10
        /// query reads every vector, 0.1–0.2 ms per 1,000 vectors of 512 floats once the set
        /// outgrows the CPU cache; 10,000 vectors (20 MB) answered in 0.6–1.8 ms (median, three
        /// runs), at most a third of the 5 ms budget, exactly and with no training, while 20,000
        /// took 2.3–4.4 ms with a p99 near 6 ms. Beyond the limit the IVF index answers in well
        /// under a millisecond up to 100k vectors (about 2 ms at 1M) at recall@10 ≥ 0.95, and 10,000
        /// is also about the smallest set that can train it (39 vectors per list, 256 lists).
        public static let flatLimit = 10_000

        /// `.flat` up to `flatLimit` vectors (scaled by dimension: the cost is count × dimension),
        /// otherwise `ivf(expectedCount:)`.
        public static func automatic(count: Int, dimension: Int = 512) -> Kind {
            let work = Double(max(count, 0)) * Double(max(dimension, 1)) / 512
            return work <= Double(flatLimit) ? .flat : ivf(expectedCount: count)
        }

        /// IVF parameters measured to give recall@10 ≥ 0.95 for a collection of about `count`.
        ///
        /// lists ≈ 2·√count (a power of two), so a cell holds about √count / 2 vectors and
        /// scoring every centroid stays a small part of a query; never more lists than
        /// `count / 39`, so a batch of `count` vectors can train it. probes is 1/128 of the
        /// lists but at least 16: on the benchmark's synthetic clustered data that gave
        /// recall@10 of 0.96 at 100k vectors (512 lists, 0.6 ms) and 0.972 at 1M (2,048 lists,
        /// 1.4–2.0 ms median). It is the knee of the curve: at 1M, 8 probes gave 0.898 and
        /// 32 gave 0.979 for twice the time. Real embeddings usually cluster more than that
        /// data, which helps; measure on your own data with `search(vector:k:probes:)` before
        /// lowering probes.
        public static func ivf(expectedCount count: Int) -> Kind {
            let target = 2 * Double(max(count, 1)).squareRoot()
            var lists = 16
            while lists < 65536 && Double(lists) * 1.5 < target { lists *= 2 }
            while lists > 1 && lists * 39 > count { lists /= 2 }
            return .ivf(lists: lists, probes: min(lists, max(16, lists / 128)))
        }

        public var description: String {
            switch self {
            case .flat: "flat (exact)"
            case .ivf(let lists, let probes): "IVF (\(lists) lists, \(probes) probes)"
            }
        }
    }
}
