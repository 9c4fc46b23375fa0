import Foundation
import Testing
import TestSupport

@testable import Inference

@Suite("ONNXModelRunner")
struct ONNXModelRunnerTests {
    @Test func describesTheGraph() throws {
        let runner = try TestEnvironment.runner("efficientnet-lite0")
        #expect(runner.inputs == [TensorDescription(name: "input", elementType: 1, shape: [-1, 3, 224, 224])])
        #expect(runner.inputs.first?.summary == "float32[N, 3, 224, 224]")
        #expect(Set(runner.outputs.map(\.name)) == ["logits", "embedding"])
    }

    @Test func runsABatchAndNamesTheOutputs() throws {
        let runner = try TestEnvironment.runner("efficientnet-lite0")
        let outputs = try runner.run(TestEnvironment.sampleInput(batch: 2, size: 224))
        let logits = try #require(outputs.logits)
        let embedding = try #require(outputs.embedding)
        #expect(logits.shape == [2, 1000])
        #expect(embedding.shape == [2, 1280])
        #expect(logits.data.allSatisfy { $0.isFinite })
        // Two different images must not give the same scores.
        #expect(logits.item(0) != logits.item(1))
    }

    /// Batching is a throughput choice: it must not change any image's result.
    @Test func batchOfEightMatchesEightSingleRuns() throws {
        let runner = try TestEnvironment.runner("efficientnet-lite0")
        let batch = TestEnvironment.sampleInput(batch: 8, size: 224)
        let together = try runner.run(batch)
        for index in 0..<8 {
            let single = try runner.run(Tensor.stack([batch.item(index)]))
            for role in ["logits", "embedding"] {
                let a = try #require(together.tensor(forRole: role)).item(index)
                let b = try #require(single.tensor(forRole: role)).item(0)
                #expect(a.shape == b.shape)
                let difference = TestEnvironment.maxAbsDifference(a.data, b.data)
                #expect(difference <= 1e-4, "\(role) of image \(index) differs by \(difference)")
            }
        }
    }

    @Test func concurrentRunsGiveTheSameResults() async throws {
        let runner = try TestEnvironment.runner("efficientnet-lite0")
        let inputs = (0..<4).map { TestEnvironment.sampleInput(batch: 1, size: 224, seed: UInt64($0)) }
        let serial = try inputs.map { try runner.run($0) }
        let concurrent = try await withThrowingTaskGroup(of: (Int, ModelOutputs).self) { group in
            for (index, input) in inputs.enumerated() {
                group.addTask { (index, try runner.run(input)) }
            }
            var results = [ModelOutputs?](repeating: nil, count: inputs.count)
            for try await (index, outputs) in group {
                results[index] = outputs
            }
            return results
        }
        for index in inputs.indices {
            #expect(concurrent[index] == serial[index], "image \(index)")
        }
    }

    @Test(arguments: [
        [1, 3, 224],  // wrong rank
        [1, 3, 240, 240],  // lite1's size
        [1, 1, 224, 224],  // grey
        [1, 224, 224, 3],  // NHWC
        [0, 3, 224, 224],  // empty batch
    ])
    func wrongInputShapeIsATypedError(shape: [Int]) throws {
        let runner = try TestEnvironment.runner("efficientnet-lite0")
        let input = Tensor(shape: shape, repeating: 0)
        #expect(throws: InferenceError.inputShapeMismatch(model: "efficientnet-lite0", expected: [-1, 3, 224, 224], got: shape)) {
            try runner.run(input)
        }
    }

    @Test func corruptModelIsAnORTErrorNotACrash() throws {
        let folder = try TestPaths.temporaryDirectory()
        let url = folder.appendingPathComponent("corrupt.onnx")
        var generator = SystemRandomNumberGenerator()
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: url)
        let error = #expect(throws: InferenceError.self) {
            try TestEnvironment.runner("efficientnet-lite0") { $0.fileURL = url }
        }
        guard case .onnxRuntime(let call, let code, let message) = error else {
            Issue.record("expected an ORT error, got \(String(describing: error))")
            return
        }
        #expect(call == "CreateSession")
        #expect(code == .invalidProtobuf)
        #expect(message.contains("Protobuf parsing failed"), "message: \(message)")
        #expect(message.contains(url.path), "message: \(message)")
    }

    @Test func missingModelFileSaysToRunSetup() throws {
        let path = "/nonexistent/efficientnet-lite0.onnx"
        let error = #expect(throws: InferenceError.self) {
            try TestEnvironment.runner("efficientnet-lite0") { $0.fileURL = URL(fileURLWithPath: path) }
        }
        #expect(error == .modelFileNotFound(model: "efficientnet-lite0", path: path))
        #expect(error?.description.contains("make setup") == true)
    }

    @Test func manifestInputNameMustExistInTheGraph() throws {
        #expect(throws: InferenceError.inputNotFound(model: "efficientnet-lite0", name: "pixels", available: ["input"])) {
            try TestEnvironment.runner("efficientnet-lite0") { $0.input.name = "pixels" }
        }
    }

    @Test func manifestOutputNamesMustExistInTheGraph() throws {
        let error = #expect(throws: InferenceError.self) {
            try TestEnvironment.runner("efficientnet-lite0") { $0.outputs["embedding"] = "features" }
        }
        guard case .outputNotFound(let model, let role, let name, let available) = error else {
            Issue.record("expected .outputNotFound, got \(String(describing: error))")
            return
        }
        #expect(model == "efficientnet-lite0")
        #expect(role == "embedding")
        #expect(name == "features")
        #expect(Set(available) == ["logits", "embedding"])
    }

    @Test func manifestSizeMustMatchTheGraph() throws {
        let error = #expect(throws: InferenceError.self) {
            try TestEnvironment.runner("efficientnet-lite0") { $0.input.size = 240 }
        }
        guard case .modelMismatch(_, let detail) = error else {
            Issue.record("expected .modelMismatch, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("float32[N, 3, 224, 224]") && detail.contains("float32[N, 3, 240, 240]"), "\(detail)")
    }

    @Test func negativeThreadCountsAreRefused() throws {
        let spec = try TestEnvironment.manifest().model(named: "efficientnet-lite0")
        let error = #expect(throws: InferenceError.self) {
            try ONNXModelRunner(model: spec, runtime: TestEnvironment.runtime(), options: SessionOptions(intraOpThreads: -1))
        }
        #expect(error?.code == "invalid_option")
    }

    @Test func theDetectorRuns() throws {
        let runner = try TestEnvironment.runner("nudenet-320n")
        let outputs = try runner.run(Tensor(shape: [1, 3, 320, 320], repeating: 0.5))
        #expect(try #require(outputs.detections).shape == [1, 22, 2100])
        #expect(outputs.logits == nil)
    }
}
