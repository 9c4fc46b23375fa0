import CFAISS
import Foundation

extension HammingIndex {
    /// Writes the index to `url` atomically (a temporary file beside it, synced, then renamed),
    /// inside a checksummed envelope so a damaged file is detected on load instead of crashing.
    public func save(to url: URL) throws(SearchError) {
        try SearchError.check(url.withShimPath { ls_hamming_save(handle, $0) })
    }

    /// Reads an index written by `save(to:)`.
    ///
    /// Throws `SearchError.corruptFile` for anything that is not an intact Lenscale Hamming
    /// index (wrong magic, another index kind, truncation, checksum mismatch), and
    /// `SearchError.io` when the file cannot be opened.
    public static func load(from url: URL) throws(SearchError) -> HammingIndex {
        var loaded: OpaquePointer?
        try SearchError.check(url.withShimPath { ls_hamming_load($0, &loaded) })
        return HammingIndex(handle: loaded!)
    }
}
