import Foundation

/// The files under a folder that a command reads as input (`lenscale classify`, `ingest`,
/// `batch`): one walk, so every command finds the same files in the same order.
///
/// - Recursive, skipping hidden entries, sorted, so runs are reproducible and shards agree.
/// - Only names with one of `extensions` (lowercased); a file named on the command line is the
///   caller's to try whatever it is called.
/// - Symbolic links to files count (datasets are often trees of links); links to folders are not
///   followed, so a link cycle cannot loop.
/// - Paths are `folder` + the relative path, spelled as the user gave `folder`.
public enum FolderFiles {
    public static func under(_ folder: String, extensions: Set<String>) -> [String] {
        let root = URL(fileURLWithPath: folder)
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey], options: [.skipsHiddenFiles]
        ) else { return [] }
        var files: [String] = []
        for case let url as URL in enumerator where extensions.contains(url.pathExtension.lowercased()) {
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
            var isDirectory: ObjCBool = false
            let linkToFile = values?.isSymbolicLink == true
                && FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
            if values?.isRegularFile == true || linkToFile {
                let relative = url.path.dropFirst(root.path.count + 1)
                files.append(folder.hasSuffix("/") ? folder + relative : folder + "/" + relative)
            }
        }
        return files.sorted()
    }
}
