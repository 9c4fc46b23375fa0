import Foundation
import Testing
import TestSupport

@testable import Inference

/// Our C declarations and tensor plumbing against Python ONNX Runtime (tools/ort_run.py) on the
/// same input: the same library version and thread count must give the same numbers.
@Suite("Parity with Python ONNX Runtime")
struct ParityTests {
    @Test(arguments: ["efficientnet-lite0", "efficientnet-lite2"])
    func outputsMatchPython(model: String) async throws {
        let runner = try TestEnvironment.runner(model, threads: 1)
        let size = runner.model.input.size
        let input = TestEnvironment.sampleInput(batch: 2, size: size, seed: 7)
        let swift = try runner.run(input)

        let folder = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputURL = folder.appendingPathComponent("input.f32")
        try TestEnvironment.writeFloat32(input.data, to: inputURL)
        let result = try await runProcess(
            TestPaths.python,
            [
                TestPaths.repositoryRoot.appendingPathComponent("tools/ort_run.py").path,
                runner.model.fileURL.path,
                "--input", inputURL.path,
                "--shape", input.shape.map(String.init).joined(separator: ","),
                "--threads", "1",
                "--out-dir", folder.appendingPathComponent("out").path,
            ])
        try #require(result.status == 0, "ort_run.py failed: \(result.stderr)")

        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.onnxruntime == runner.runtime.version)
        for role in ["logits", "embedding"] {
            let name = try #require(runner.model.outputs[role])
            let mine = try #require(swift.tensor(forRole: role))
            let theirs = try #require(report.outputs.first { $0.name == name }, "Python produced no \(name)")
            #expect(mine.shape == theirs.shape)
            let values = try TestEnvironment.readFloat32(
                folder.appendingPathComponent("out").appendingPathComponent(theirs.file))
            try #require(values.count == mine.elementCount)
            let difference = TestEnvironment.maxAbsDifference(mine.data, values)
            #expect(difference <= 1e-4, "\(model) \(role): max abs difference \(difference)")
        }
    }

    private struct Report: Decodable {
        struct Output: Decodable {
            let name: String
            let file: String
            let shape: [Int]
        }

        let onnxruntime: String
        let outputs: [Output]
    }
}
