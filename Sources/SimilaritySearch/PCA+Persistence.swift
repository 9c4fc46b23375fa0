import CFAISS
import Foundation

extension PCA {
    /// Writes the trained projection to `url` atomically, inside a checksummed envelope.
    public func save(to url: URL) throws(SearchError) {
        try SearchError.check(url.withShimPath { ls_pca_save(handle, $0) })
    }

    /// Reads a projection written by `save(to:)`; throws `SearchError.corruptFile` for anything else.
    public static func load(from url: URL) throws(SearchError) -> PCA {
        var loaded: OpaquePointer?
        try SearchError.check(url.withShimPath { ls_pca_load($0, &loaded) })
        return PCA(handle: loaded!)
    }
}
