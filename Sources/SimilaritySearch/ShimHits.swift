import CFAISS

/// Copies a shim result list into Swift arrays and frees it.
///
/// The shim returns hits as an opaque heap object so variable-length results (range search)
/// need no second call or guessed buffer size; this is the one place that reads and frees them.
enum ShimHits {
    static func take(_ hits: OpaquePointer?) -> (ids: [Int64], values: [Float]) {
        guard let hits else { return ([], []) }
        defer { ls_hits_free(hits) }
        let count = ls_hits_count(hits)
        guard count > 0, let ids = ls_hits_ids(hits), let values = ls_hits_values(hits) else { return ([], []) }
        return (Array(UnsafeBufferPointer(start: ids, count: count)), Array(UnsafeBufferPointer(start: values, count: count)))
    }
}
