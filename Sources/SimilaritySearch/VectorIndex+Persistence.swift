import CFAISS
import Foundation

extension VectorIndex {
    /// Writes the index to `url` atomically (a temporary file beside it, synced, then renamed),
    /// inside a checksummed envelope so a damaged file is detected on load instead of crashing.
    /// The file holds the vectors, ids, and for `.ivf` the centroids and default probes.
    public func save(to url: URL) throws(SearchError) {
        try SearchError.check(url.withShimPath { ls_vectors_save(handle, $0) })
    }

    /// Reads an index written by `save(to:)`; its `kind` and `dimension` come from the file.
    ///
    /// Throws `SearchError.corruptFile` for anything that is not an intact Lenscale vector
    /// index, and `SearchError.io` when the file cannot be opened.
    public static func load(from url: URL) throws(SearchError) -> VectorIndex {
        var loaded: OpaquePointer?
        try SearchError.check(url.withShimPath { ls_vectors_load($0, &loaded) })
        return VectorIndex(handle: loaded!)
    }
}
