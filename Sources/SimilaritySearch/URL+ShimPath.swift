import Foundation

extension URL {
    /// Runs `body` with this URL's file-system path as a C string, for the shim's save/load.
    ///
    /// Throws instead of calling `body` when the URL is not a local file (for example an
    /// https URL), so the error names the real problem rather than a puzzling "cannot open".
    func withShimPath<T>(_ body: (UnsafePointer<CChar>) -> T) throws(SearchError) -> T {
        guard isFileURL, let result = withUnsafeFileSystemRepresentation({ path in path.map(body) }) else {
            throw .io("'\(absoluteString)' is not a local file path; pass a file URL such as URL(fileURLWithPath:)")
        }
        return result
    }
}
