import Foundation
import Inference

/// Where the tests find the repository, the exported models and the Python reference.
///
/// The models are the real ones `make setup` exports to `<repo>/models` (LENSCALE_MODELS
/// overrides): parity and batch checks are only meaningful on the graphs we ship. When they are
/// missing, the tests fail with the setup command rather than skipping, so CI cannot pass without
/// having run them.
enum TestEnvironment {
    /// `<repo>`, from this file's path: `<repo>/Tests/InferenceTests/TestEnvironment.swift`.
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var modelsDirectory: URL {
        if let folder = ProcessInfo.processInfo.environment["LENSCALE_MODELS"], !folder.isEmpty {
            let url = folder.hasPrefix("/") ? URL(fileURLWithPath: folder) : repoRoot.appendingPathComponent(folder)
            return url.standardizedFileURL
        }
        return repoRoot.appendingPathComponent("models")
    }

    static var manifestURL: URL { modelsDirectory.appendingPathComponent("models.json") }

    /// The Python that has the pinned onnxruntime wheel.
    static var python: URL { repoRoot.appendingPathComponent(".venv/bin/python") }

    static func manifest() throws -> ModelManifest {
        try ModelManifest.load(from: manifestURL)
    }

    /// ONNX Runtime as the manifest configures it. The test process's own LENSCALE_ORT_LIB is
    /// ignored so that a developer's override cannot change what the tests check.
    static func runtime() throws -> ONNXRuntime {
        try ONNXRuntime.load(manifest: manifest(), environment: [:])
    }

    static func runner(
        _ name: String, threads: Int = 1, edit: (inout ModelSpec) -> Void = { _ in }
    ) throws -> ONNXModelRunner {
        var spec = try manifest().model(named: name)
        edit(&spec)
        return try ONNXModelRunner(model: spec, runtime: runtime(), options: SessionOptions(intraOpThreads: threads))
    }

    /// A fresh empty folder under the system temp folder.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("lenscale-inference-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Deterministic pseudo-random values in about [-1, 1], the range of normalised pixels, so
    /// every activation path of the network is exercised (a constant image would not).
    static func sampleInput(batch: Int, size: Int, seed: UInt64 = 0x5EED) -> Tensor {
        var state = seed
        let count = batch * 3 * size * size
        var data = [Float](repeating: 0, count: count)
        for index in 0..<count {
            // SplitMix64: simple, seedable, identical on every platform.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            data[index] = Float(z >> 40) / Float(1 << 23) - 1
        }
        return Tensor(shape: [batch, 3, size, size], data: data)
    }

    /// Raw little-endian float32, the format tools/ort_run.py reads and writes (our hosts are
    /// little-endian, so the bytes are the array's own).
    static func writeFloat32(_ values: [Float], to url: URL) throws {
        try values.withUnsafeBytes { Data($0) }.write(to: url)
    }

    static func readFloat32(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        return [Float](unsafeUninitializedCapacity: data.count / 4) { buffer, count in
            count = data.copyBytes(to: buffer) / 4
        }
    }

    static func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "compared arrays differ in length: \(a.count) vs \(b.count)")
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// Runs a program to completion. Its output goes to files in `directory` rather than pipes, so
    /// a chatty child can never block on a full pipe.
    static func run(_ executable: URL, _ arguments: [String], in directory: URL) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let stdoutURL = directory.appendingPathComponent("stdout.txt")
        let stderrURL = directory.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let stdout = try FileHandle(forWritingTo: stdoutURL)
        let stderr = try FileHandle(forWritingTo: stderrURL)
        defer {
            try? stdout.close()
            try? stderr.close()
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (
            process.terminationStatus,
            try String(contentsOf: stdoutURL, encoding: .utf8),
            try String(contentsOf: stderrURL, encoding: .utf8)
        )
    }
}
