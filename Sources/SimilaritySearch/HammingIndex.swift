import CFAISS

/// Exact Hamming-distance search over 64-bit perceptual-hash codes, keyed by `Int64` ids.
///
/// This is the near-duplicate tier: two photos whose perceptual hashes differ in at most a
/// handful of bits (8–12 is typical) are the same picture re-encoded, resized or lightly edited.
/// Results are exact, never approximate, because a missed duplicate is a visible bug.
///
/// Storage is FAISS's `IndexBinaryFlat` behind an `IndexBinaryIDMap` (8 bytes per code plus
/// 8 per id); FAISS also removes codes and writes the file. The search is a linear scan in the
/// shim, four codes at a time with AVX2 (POPCNT or portable fallbacks on older CPUs): on 1M
/// codes it answers radius 8, 10 and 12 alike in about 0.2 ms, with no build step. FAISS's
/// hash-based indexes were faster only at radius 8 (`IndexBinaryMultiHash` 3×21 bits: 0.2 ms)
/// and slower from 10 up (1.4 ms at 10, 15 ms or more at 12), took seconds to build and
/// hundreds of MB, and need a per-radius setting stored in the index; `IndexBinaryHash` is only
/// exact when it flips every bit the radius allows (40+ ms). Debian's prebuilt `IndexBinaryFlat`
/// counts bits in software (2.8 ms single-threaded). See bench/search/README.md.
///
/// `@unchecked Sendable` because the only stored property is a handle to a C++ object that is
/// internally synchronised: searches share a reader lock and run concurrently, while `add`,
/// `remove` and `load` take it exclusively. The Swift object itself has no mutable state.
public final class HammingIndex: @unchecked Sendable {
    let handle: OpaquePointer

    /// An empty index.
    public init() {
        var created: OpaquePointer?
        let status = ls_hamming_create(&created)
        // Creating an empty index only allocates a few bytes; failure means the process is out of memory.
        precondition(status == LS_OK && created != nil, "cannot create a Hamming index: \(String(cString: ls_last_error()))")
        handle = created!
    }

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        ls_hamming_free(handle)
    }

    /// Number of codes in the index.
    public var count: Int { Int(ls_hamming_count(handle)) }

    /// Adds one code per id. All-or-nothing: if any id is already present or repeated in
    /// `ids`, nothing is added and `SearchError.duplicateID` names the id.
    public func add(ids: [Int64], codes: [UInt64]) throws(SearchError) {
        guard ids.count == codes.count else { throw .countMismatch(ids: ids.count, items: codes.count) }
        guard !ids.isEmpty else { return }
        let status = ids.withUnsafeBufferPointer { idBuffer in
            codes.withUnsafeBufferPointer { codeBuffer in
                ls_hamming_add(handle, ids.count, idBuffer.baseAddress!, codeBuffer.baseAddress!)
            }
        }
        try SearchError.check(status)
    }

    /// Removes the codes with these ids; ids not in the index are ignored.
    ///
    /// Costs one pass over the whole index (the flat storage is compacted), so remove in
    /// batches rather than one id at a time.
    /// - Returns: how many codes were removed.
    @discardableResult
    public func remove(ids: [Int64]) throws(SearchError) -> Int {
        guard !ids.isEmpty else { return 0 }
        var removed = 0
        let status = ids.withUnsafeBufferPointer { ls_hamming_remove(handle, ids.count, $0.baseAddress!, &removed) }
        try SearchError.check(status)
        return removed
    }
}
