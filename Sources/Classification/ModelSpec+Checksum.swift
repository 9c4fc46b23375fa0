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

extension ModelSpec {
    /// The version predictions of this model carry: the weights' version plus a digest of the
    /// preprocessing (see `Classifier.resultVersion`), computed without loading the model.
    public var resultVersion: String {
        guard let preprocessing = try? input.preprocessing() else { return version }
        return Classifier.resultVersion(model: self, preprocessing: preprocessing)
    }
}
