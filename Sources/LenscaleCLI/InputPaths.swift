import Foundation
import ImageDecoding
import Storage

/// Expands the command line's paths into the files to process.
///
/// Named files are always tried, whatever their extension, so a mislabelled file gets a real
/// "not an image" error. Directories are walked by `FolderFiles`, for image extensions only.
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
            let found = FolderFiles.under(path, extensions: imageExtensions)
            if found.isEmpty {
                expansion.problems.append((path, "no images (\(ImageFormat.displayList)) in this folder"))
            }
            expansion.files += found
        }
        return expansion
    }
}
