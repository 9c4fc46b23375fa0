import Foundation
import Testing
import TestSupport

/// A folder of real photos for a batch run, with known duplicates and bad files.
struct PhotoFolder {
    let directory: URL
    /// Paths of the good images as `lenscale batch` names them (folder + relative path).
    var good: [String] = []
    /// Paths that repeat the bytes of an earlier good image.
    var duplicates: [String] = []
    /// Paths that must end up in failures.jsonl.
    var bad: [String] = []

    var all: [String] { (good + duplicates + bad).sorted() }

    /// `photos` shared photos (JPEG and PNG, in a subfolder too), `copies` extra distinct JPEGs
    /// (a shared photo with bytes appended after its end marker), one duplicate, and three bad files.
    static func make(photos: Int = 6, copies: Int = 0, duplicate: Bool = true, bad: Bool = true) throws -> PhotoFolder {
        let directory = try TestPaths.temporaryDirectory().appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        var folder = PhotoFolder(directory: directory)
        let sources = try LabelledPhotos.all.prefix(photos)
        precondition(sources.count == photos, "not enough shared photos in \(TestPaths.sharedImages.path)")
        for (number, photo) in sources.enumerated() {
            let name = (number % 3 == 2 ? "sub/" : "") + photo.file
            try FileManager.default.copyItem(at: photo.url, to: directory.appendingPathComponent(name))
            folder.good.append(directory.path + "/" + name)
        }
        let jpeg = try #require(try LabelledPhotos.all.first { $0.file.hasSuffix(".jpg") })
        let jpegBytes = try Data(contentsOf: jpeg.url)
        for copy in 0..<copies {
            let name = String(format: "copy-%04d.jpg", copy)
            try (jpegBytes + Data("lenscale test copy \(copy)".utf8)).write(to: directory.appendingPathComponent(name))
            folder.good.append(directory.path + "/" + name)
        }
        if duplicate {
            try FileManager.default.copyItem(at: sources.first!.url, to: directory.appendingPathComponent("zz-duplicate.jpg"))
            folder.duplicates.append(directory.path + "/zz-duplicate.jpg")
        }
        if bad {
            let files: [(String, [UInt8])] = [
                ("not-a-photo.jpg", BadInputs.text),
                ("truncated.jpg", Array(jpegBytes.prefix(jpegBytes.count / 3))),
                ("bomb.png", BadInputs.pngHeader(width: 50_000, height: 50_000)),
            ]
            for (name, bytes) in files {
                try Data(bytes).write(to: directory.appendingPathComponent(name))
                folder.bad.append(directory.path + "/" + name)
            }
        }
        return folder
    }

    func remove() { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
}

/// What a batch run's output folder holds, parsed.
struct BatchOutputFolder {
    let directory: URL

    struct Label: Decodable, Equatable { var index: Int; var name: String; var score: Double }
    struct Record: Decodable { var path: String; var sha256: String; var model: String; var model_version: String; var labels: [Label] }
    struct Failure: Decodable { var path: String; var sha256: String?; var error: String; var message: String }
    struct IndexLine: Decodable { var row: Int; var sha256: String; var path: String }

    func lines<T: Decodable>(_ name: String, as type: T.Type) throws -> [T] {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }

    var records: [Record] { get throws { try lines("labels.jsonl", as: Record.self) } }
    var failures: [Failure] { get throws { try lines("failures.jsonl", as: Failure.self) } }
    var index: [IndexLine] { get throws { try lines("embeddings.index.jsonl", as: IndexLine.self) } }

    /// The .npy header's dtype and shape, and the file's length, read by numpy itself.
    func numpyShape() async throws -> (dtype: String, rows: Int, columns: Int, finite: Bool) {
        let script = """
            import numpy as np, sys
            a = np.load(sys.argv[1])
            print(a.dtype.str, a.shape[0], a.shape[1], bool(np.isfinite(a).all()))
            """
        let result = try await runProcess(TestPaths.python, ["-c", script, directory.appendingPathComponent("embeddings.npy").path])
        let fields = result.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
        guard result.status == 0, fields.count == 4, let rows = Int(fields[1]), let columns = Int(fields[2]) else {
            throw BatchTestError(message: "numpy could not read embeddings.npy: \(result.stderr)")
        }
        return (fields[0], rows, columns, fields[3] == "True")
    }
}

struct BatchTestError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
