import Foundation
import Inference
import TestSupport

/// The real models and runtime the inference tests run on (locations come from TestSupport).
///
/// The models are the real ones `make setup` exports to `<repo>/models` (LENSCALE_MODELS
/// overrides): parity and batch checks are only meaningful on the graphs we ship. When they are
/// missing, the tests fail with the setup command rather than skipping, so CI cannot pass without
/// having run them.
enum TestEnvironment {
    static var manifestURL: URL { TestPaths.models.appendingPathComponent("models.json") }

    static func manifest() throws -> ModelManifest {
        try ModelManifest.load(from: manifestURL)
    }

    /// ONNX Runtime as the manifest configures it. The test process's own LENSCALE_ORT_LIB is
    /// ignored so that a developer's override cannot change what the tests check.
    static func runtime() throws -> ONNXRuntime {
        try loaded.get()
    }

    private static let loaded = Result { try ONNXRuntime.load(manifest: manifest(), environment: [:]) }

    static func runner(
        _ name: String, threads: Int = 1, edit: (inout ModelSpec) -> Void = { _ in }
    ) throws -> ONNXModelRunner {
        var spec = try manifest().model(named: name)
        edit(&spec)
        return try ONNXModelRunner(model: spec, runtime: runtime(), options: SessionOptions(intraOpThreads: threads))
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
}
