import CONNXRuntime
import Foundation
import Testing
import TestSupport

@testable import Inference

@Suite("ONNXRuntime")
struct ONNXRuntimeTests {
    @Test func missingLibrarySaysToRunSetup() throws {
        let path = "/nonexistent/libonnxruntime.so.1.32.0"
        let error = #expect(throws: InferenceError.self) {
            try ONNXRuntime.load(libraryPath: path, environment: [:])
        }
        #expect(error == .runtimeLibraryNotFound(path: path, source: "the library path argument"))
        #expect(error?.description.contains("make setup") == true)
    }

    @Test func noConfiguredLibrarySaysToRunSetup() {
        let error = #expect(throws: InferenceError.self) { try ONNXRuntime.load(environment: [:]) }
        #expect(error == .runtimeLibraryNotConfigured)
        #expect(error?.description.contains("make setup") == true)
    }

    /// Explicit path, then LENSCALE_ORT_LIB, then the manifest: each step wins over the next, and
    /// the error names the setting that pointed to a missing file.
    @Test func libraryPathResolutionOrder() throws {
        let manifest = try TestEnvironment.manifest()
        let real = manifest.onnxruntime.libraryURL.path
        let fromManifest = try ONNXRuntime.resolveLibraryURL(explicit: nil, environment: [:], manifest: manifest)
        #expect(fromManifest.path == real)
        let fromEnvironment = try ONNXRuntime.resolveLibraryURL(
            explicit: nil, environment: ["LENSCALE_ORT_LIB": real], manifest: nil)
        #expect(fromEnvironment.path == real)

        let environmentBeatsManifest = #expect(throws: InferenceError.self) {
            try ONNXRuntime.resolveLibraryURL(explicit: nil, environment: ["LENSCALE_ORT_LIB": "/no/env.so"], manifest: manifest)
        }
        #expect(environmentBeatsManifest == .runtimeLibraryNotFound(path: "/no/env.so", source: "LENSCALE_ORT_LIB"))
        let explicitBeatsEnvironment = #expect(throws: InferenceError.self) {
            try ONNXRuntime.resolveLibraryURL(
                explicit: "/no/arg.so", environment: ["LENSCALE_ORT_LIB": real], manifest: manifest)
        }
        #expect(explicitBeatsEnvironment == .runtimeLibraryNotFound(path: "/no/arg.so", source: "the library path argument"))
    }

    @Test func aFileThatIsNotALibraryIsALoadError() throws {
        let url = try TestPaths.temporaryDirectory().appendingPathComponent("libonnxruntime.so")
        try "not an ELF file".write(to: url, atomically: true, encoding: .utf8)
        let error = #expect(throws: InferenceError.self) { try ONNXRuntime.load(libraryPath: url.path, environment: [:]) }
        guard case .runtimeLibraryLoadFailed(let path, let reason) = error else {
            Issue.record("expected .runtimeLibraryLoadFailed, got \(String(describing: error))")
            return
        }
        #expect(path == url.path)
        #expect(!reason.isEmpty)
    }

    /// Nothing is cached between loads: two loads of one library are two instances, each with
    /// the manifest's version, and both run a model (ORT shares one environment between them).
    @Test func loadsAreIndependentAndReportTheirVersion() throws {
        let manifest = try TestEnvironment.manifest()
        let first = try ONNXRuntime.load(manifest: manifest, environment: [:])
        let second = try ONNXRuntime.load(libraryPath: manifest.onnxruntime.libraryURL.path, environment: [:])
        #expect(first !== second)
        #expect(first.version == manifest.onnxruntime.version && second.version == first.version)
        let outputs = try [first, second].map { runtime in
            let runner = try ONNXModelRunner(model: manifest.model(named: "efficientnet-lite0"), runtime: runtime,
                                             options: SessionOptions(intraOpThreads: 1))
            return try runner.run(Tensor(shape: [1, 3, 224, 224], repeating: 0.5))
        }
        #expect(!outputs[0].tensors.isEmpty)
        #expect(outputs[0] == outputs[1], "the same model on either instance gives the same answer")
    }

    // MARK: - Run-time checks of our function table
    //
    // Each of these makes a deliberately wrong call through one slot and checks that ORT's answer is
    // the one that function gives. Had our header put the slot one off, another function would
    // answer (and most would accept the call or answer differently).

    @Test func statusSlotsRoundTrip() throws {
        let api = try TestEnvironment.runtime().api
        let status = api.raw.CreateStatus(ORT_INVALID_GRAPH, "made by a test")
        #expect(api.error(from: status, call: "X") == .onnxRuntime(call: "X", code: .invalidGraph, message: "made by a test"))
        api.raw.ReleaseStatus(status)
    }

    @Test func graphOptimizationSlotRejectsAnInvalidLevel() throws {
        let api = try TestEnvironment.runtime().api
        let options = try api.create("CreateSessionOptions", release: api.raw.ReleaseSessionOptions) {
            api.raw.CreateSessionOptions($0)
        }
        let error = #expect(throws: InferenceError.self) {
            try api.check(
                api.raw.SetSessionGraphOptimizationLevel(options.pointer, GraphOptimizationLevel(rawValue: 42)),
                "SetSessionGraphOptimizationLevel")
        }
        guard case .onnxRuntime(let call, let code, let message) = error else {
            Issue.record("expected an ORT error, got \(String(describing: error))")
            return
        }
        #expect(call == "SetSessionGraphOptimizationLevel")
        #expect(code == .invalidArgument)
        #expect(message.contains("graph_optimization_level"), "message: \(message)")
    }

    @Test func tensorSlotChecksTheBufferSize() throws {
        let runtime = try TestEnvironment.runtime()
        let api = runtime.api
        var buffer: [Float] = [0, 0]
        let shape: [Int64] = [2, 3]
        let error = #expect(throws: InferenceError.self) {
            try buffer.withUnsafeMutableBytes { bytes in
                _ = try api.create("CreateTensorWithDataAsOrtValue", release: api.raw.ReleaseValue) {
                    api.raw.CreateTensorWithDataAsOrtValue(
                        runtime.cpuMemory.pointer, bytes.baseAddress!, bytes.count, shape, shape.count,
                        ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, $0)
                }
            }
        }
        guard case .onnxRuntime(_, let code, let message) = error else {
            Issue.record("expected an ORT error, got \(String(describing: error))")
            return
        }
        #expect(code == .invalidArgument)
        // ORT: "not enough space: expected 24, got 8"
        #expect(message.contains("24") && message.contains("8"), "message: \(message)")
    }
}
