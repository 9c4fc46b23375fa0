import CFAISS

/// Cosine-similarity search over float embeddings, keyed by `Int64` ids.
///
/// Vectors are L2-normalised (copies; the caller's arrays are untouched) on `add` and on every
/// query, and compared by inner product, so a score is the cosine similarity in [-1, 1] and
/// callers never have to remember to normalise. Two kinds (see `Kind`): `.flat` scores every
/// vector, exactly; `.ivf` scans only the k-means cells nearest the query, for large sets.
///
/// Vectors are passed row-major: `count × dimension` floats in one array, so a million
/// embeddings are one allocation rather than a million.
///
/// `@unchecked Sendable` because the only mutable state is behind the handle, a C++ object that
/// is internally synchronised: searches share a reader lock and run concurrently, while `add`
/// and `train` take it exclusively. `dimension` and `kind` are immutable.
public final class VectorIndex: @unchecked Sendable {
    let handle: OpaquePointer
    /// Number of components every vector must have.
    public let dimension: Int
    /// How this index searches; fixed at creation (or by the file it was loaded from).
    public let kind: Kind

    /// An empty index for vectors of `dimension` components.
    ///
    /// An `.ivf` index must be trained before vectors are added; `add` does that itself the
    /// first time it is given at least `minimumTrainingCount` vectors, or call `train(vectors:)`.
    public convenience init(dimension: Int, kind: Kind = .flat) throws(SearchError) {
        guard (1...65536).contains(dimension) else {
            throw .invalidArgument("dimension must be between 1 and 65536 (got \(dimension))")
        }
        var created: OpaquePointer?
        switch kind {
        case .flat:
            try SearchError.check(ls_vectors_create_flat(Int32(dimension), &created))
        case .ivf(let lists, let probes):
            guard (1...(1 << 20)).contains(lists), (1...lists).contains(probes) else {
                throw .invalidArgument("an IVF index needs 1 ≤ probes ≤ lists ≤ 1048576 (got lists \(lists), probes \(probes))")
            }
            try SearchError.check(ls_vectors_create_ivf(Int32(dimension), Int32(lists), Int32(probes), &created))
        }
        self.init(handle: created!)
    }

    init(handle: OpaquePointer) {
        self.handle = handle
        dimension = Int(ls_vectors_dimension(handle))
        let lists = Int(ls_vectors_lists(handle))
        kind = lists == 0 ? .flat : .ivf(lists: lists, probes: Int(ls_vectors_default_probes(handle)))
    }

    deinit {
        ls_vectors_free(handle)
    }

    /// Number of vectors in the index.
    public var count: Int { Int(ls_vectors_count(handle)) }

    /// Whether vectors can be added; always true for `.flat`.
    public var isTrained: Bool { ls_vectors_is_trained(handle) != 0 }

    /// The fewest vectors `train(vectors:)` accepts: 39 per IVF list (FAISS's own guidance for
    /// k-means), 0 for `.flat`.
    public var minimumTrainingCount: Int { Int(ls_vectors_min_training(handle)) }

    /// Trains an `.ivf` index's k-means cells on representative vectors (row-major).
    ///
    /// At most 64 vectors per list are sampled (with a fixed seed, so the same input gives the
    /// same index); more barely changes recall but makes training slower.
    public func train(vectors: [Float]) throws(SearchError) {
        let rows = try rowCount(of: vectors)
        let status = vectors.withUnsafeBufferPointer { ls_vectors_train(handle, rows, $0.baseAddress!) }
        try SearchError.check(status)
    }

    /// Adds one vector per id (row-major, `ids.count × dimension` floats). All-or-nothing: a
    /// repeated id, a zero vector or a NaN anywhere means nothing is added.
    ///
    /// An untrained `.ivf` index is first trained on this batch when it holds at least
    /// `minimumTrainingCount` vectors; otherwise this throws `SearchError.notTrained`.
    public func add(ids: [Int64], vectors: [Float]) throws(SearchError) {
        let rows = try rowCount(of: vectors)
        guard ids.count == rows else { throw .countMismatch(ids: ids.count, items: rows) }
        guard rows > 0 else { return }
        // Training on this batch, when needed, happens inside the shim under the same lock as
        // the add, so two first batches racing cannot both try to train.
        let status = ids.withUnsafeBufferPointer { idBuffer in
            vectors.withUnsafeBufferPointer { ls_vectors_add(handle, rows, idBuffer.baseAddress!, $0.baseAddress!) }
        }
        try SearchError.check(status)
    }

    /// Number of rows in a row-major batch, or `raggedBatch` when it is not a whole number.
    func rowCount(of vectors: [Float]) throws(SearchError) -> Int {
        guard vectors.count.isMultiple(of: dimension) else {
            throw .raggedBatch(floats: vectors.count, dimension: dimension)
        }
        return vectors.count / dimension
    }
}
