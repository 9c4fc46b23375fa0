import Foundation
import ImageDecoding

/// Expands the command line's paths into the files to process.
///
/// Named files are always tried, whatever their extension, so a mislabelled file gets a real
/// "not an image" error. Directories are walked recursively for image extensions only, skipping
/// hidden entries, in sorted order so runs are reproducible.
enum InputPaths {
    static let imageExtensions: Set<String> = ImageFormat.fileExtensions

    struct Expansion {
        var files: [String] = []
        /// Paths that do not exist or hold no images, with the reason.
        var problems: [(path: String, reason: String)] = []
    }

    static func expand(_ paths: [String]) -> Expansion {
        var expansion = Expansion()
        let fileManager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                expansion.problems.append((path, "no such file or directory"))
                continue
            }
            guard isDirectory.boolValue else {
                expansion.files.append(path)
                continue
            }
            let found = walk(path)
            if found.isEmpty {
                expansion.problems.append((path, "no images (\(ImageFormat.displayList)) in this folder"))
            }
            expansion.files += found
        }
        return expansion
    }

    static func walk(_ directory: String) -> [String] {
        let root = URL(fileURLWithPath: directory)
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]
        ) else { return [] }
        var files: [String] = []
        for case let url as URL in enumerator where imageExtensions.contains(url.pathExtension.lowercased()) {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                files.append(directory.hasSuffix("/") ? directory + url.path.dropFirst(root.path.count + 1) : directory + url.path.dropFirst(root.path.count))
            }
        }
        return files.sorted()
    }
}
