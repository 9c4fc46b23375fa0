import Foundation
import Hashing
import Inference

extension ModelSpec {
    /// Checks the model file against the manifest's SHA-256 before a session is built on it.
    ///
    /// Predictions are cached and served by model version; a file swapped or half-copied under an
    /// unchanged manifest would serve wrong answers under the right name. Hashing 20 MB costs
    /// about as much as creating the session, once per process.
    public func verifyChecksum() throws(ClassificationError) {
        let data: Data
        do {
            data = try Data(contentsOf: fileURL, options: .alwaysMapped)
        } catch {
            throw .unsupportedModel("\(name): cannot read \(fileURL.path): \(error.localizedDescription); run `make setup`")
        }
        let actual = ContentHash(of: data).hex
        guard actual == sha256.lowercased() else {
            throw .unsupportedModel("\(name): \(fileURL.path) has SHA-256 \(actual), but the manifest says \(sha256); "
                + "the file changed after export: run `make setup` to export it again")
        }
    }
}
