import Foundation

extension ModelSpec {
    /// The class names, one per line of the labels file, in class-index order.
    ///
    /// Checked against `numClasses` when the manifest gives it: a labels file off by one line would
    /// otherwise shift every name silently.
    public func loadLabels() throws -> [String] {
        guard let url = labelsURL else {
            throw ModelManifestError.labelsNotDeclared(model: name)
        }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ModelManifestError.labelsUnreadable(path: url.path, reason: error.localizedDescription)
        }
        // "\r\n" is one Character in Swift, so it is matched as a separator of its own.
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }.map(String.init)
        if lines.last == "" {
            lines.removeLast()  // the newline that ends the last line
        }
        if let numClasses, lines.count != numClasses {
            throw ModelManifestError.labelCountMismatch(model: name, expected: numClasses, found: lines.count)
        }
        return lines
    }
}
