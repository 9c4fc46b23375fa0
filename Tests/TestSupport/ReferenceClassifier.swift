import Foundation

/// Top-k answers from `tools/reference_classify.py` (Pillow + numpy + onnxruntime), the
/// Python reference the Swift pipeline is held to.
public struct ReferenceRecord: Decodable, Sendable {
    public struct Label: Decodable, Sendable {
        public let index: Int
        public let name: String
        public let score: Float
    }
    public let path: String
    public let sha256: String
    public let model: String
    public let labels: [Label]
}

public enum ReferenceClassifier {
    public static func classify(_ paths: [URL], model: String, top: Int = 5) async throws -> [ReferenceRecord] {
        let result = try await runProcess(TestPaths.python, [
            TestPaths.repositoryRoot.appendingPathComponent("tools/reference_classify.py").path,
            "--models-dir", TestPaths.models.path, "--model", model, "--top", String(top),
        ] + paths.map(\.path))
        guard result.status == 0 else {
            throw ReferenceError(message: "reference_classify.py exited \(result.status): \(result.stderr)")
        }
        return try result.stdout.split(separator: "\n").map { line in
            try JSONDecoder().decode(ReferenceRecord.self, from: Data(line.utf8))
        }
    }

    /// The preprocessed input tensor the reference feeds the model, as float32 NCHW.
    public static func tensor(for path: URL, model: String) async throws -> [Float] {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("tensor.npy")
        let result = try await runProcess(TestPaths.python, [
            TestPaths.repositoryRoot.appendingPathComponent("tools/reference_classify.py").path,
            "--models-dir", TestPaths.models.path, "--model", model, "--dump-tensor", out.path, path.path,
        ])
        guard result.status == 0 else {
            throw ReferenceError(message: "reference_classify.py --dump-tensor exited \(result.status): \(result.stderr)")
        }
        return try NPY.readFloat32(out)
    }
}

public struct ReferenceError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Reads a little-endian float32 `.npy` file (format versions 1 to 3).
public enum NPY {
    public static func readFloat32(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        guard data.count > 10, data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)) else {
            throw ReferenceError(message: "\(url.path) is not an .npy file")
        }
        let major = data[6]
        let headerLength = major == 1 ? Int(data[8]) | Int(data[9]) << 8
            : Int(data[8]) | Int(data[9]) << 8 | Int(data[10]) << 16 | Int(data[11]) << 24
        let start = (major == 1 ? 10 : 12) + headerLength
        let header = String(decoding: data[(major == 1 ? 10 : 12)..<start], as: UTF8.self)
        guard header.contains("'<f4'") else { throw ReferenceError(message: "\(url.path) is not float32: \(header)") }
        return data[start...].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}
