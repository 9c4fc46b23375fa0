import CFAISS

/// A principal-component projection from `inputDimension` to `outputDimension` floats.
///
/// Used to store 512-dimension vectors from 1280-dimension embeddings: the catalog and the
/// vector index shrink by 2.5× while cosine neighbourhoods survive, because PCA keeps the
/// directions in which the embeddings actually vary. It is FAISS's `PCAMatrix` with
/// `eigen_power = 0` (no whitening: whitening would inflate noisy low-variance directions and
/// distort cosine similarity) and no random rotation (not needed without quantisation).
///
/// The projection is affine (it subtracts the training mean), so feed its output to a
/// `VectorIndex`, which re-normalises; do not assume output norms match input norms.
///
/// `@unchecked Sendable` because it is immutable after training: the handle points to a C++
/// object that `apply` only reads, with per-call scratch memory.
public final class PCA: @unchecked Sendable {
    let handle: OpaquePointer
    public let inputDimension: Int
    public let outputDimension: Int
    /// Share of the training data's variance kept by the output dimensions, in [0, 1]; a
    /// quick check that `outputDimension` is large enough for the data.
    public let retainedVariance: Double

    /// Fits the projection on `vectors` (row-major, count × `inputDimension` floats).
    ///
    /// Needs at least 2 vectors; with fewer than `inputDimension` the trailing components are
    /// zeros. Training costs O(count × inputDimension²) through FAISS and its BLAS, so a sample
    /// of a few tens of thousands of embeddings is plenty.
    public convenience init(fitting vectors: [Float], inputDimension: Int, outputDimension: Int) throws(SearchError) {
        guard (1...65536).contains(inputDimension) else {
            throw .invalidArgument("inputDimension must be between 1 and 65536 (got \(inputDimension))")
        }
        guard (1...inputDimension).contains(outputDimension) else {
            throw .invalidArgument("outputDimension must be between 1 and inputDimension \(inputDimension) (got \(outputDimension))")
        }
        guard vectors.count.isMultiple(of: inputDimension) else {
            throw .raggedBatch(floats: vectors.count, dimension: inputDimension)
        }
        let rows = vectors.count / inputDimension
        guard rows >= 2 else { throw .invalidArgument("PCA needs at least 2 training vectors, got \(rows)") }
        var created: OpaquePointer?
        let status = vectors.withUnsafeBufferPointer {
            ls_pca_train(Int32(inputDimension), Int32(outputDimension), rows, $0.baseAddress!, &created)
        }
        try SearchError.check(status)
        self.init(handle: created!)
    }

    init(handle: OpaquePointer) {
        self.handle = handle
        inputDimension = Int(ls_pca_input_dimension(handle))
        outputDimension = Int(ls_pca_output_dimension(handle))
        retainedVariance = ls_pca_retained_variance(handle)
    }

    deinit {
        ls_pca_free(handle)
    }

    /// Projects row-major vectors (count × `inputDimension`) to count × `outputDimension`.
    public func apply(_ vectors: [Float]) throws(SearchError) -> [Float] {
        guard vectors.count.isMultiple(of: inputDimension) else {
            throw .raggedBatch(floats: vectors.count, dimension: inputDimension)
        }
        let rows = vectors.count / inputDimension
        guard rows > 0 else { return [] }
        var status = LS_OK
        let output = [Float](unsafeUninitializedCapacity: rows * outputDimension) { out, initialized in
            status = vectors.withUnsafeBufferPointer { ls_pca_apply(handle, rows, $0.baseAddress!, out.baseAddress!) }
            // On failure the buffer may be partly written; report it fully initialised only on success.
            initialized = status == LS_OK ? rows * outputDimension : 0
        }
        try SearchError.check(status)
        return output
    }
}
