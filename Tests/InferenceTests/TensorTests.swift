import Testing

@testable import Inference

@Suite("Tensor")
struct TensorTests {
    @Test func stackAddsABatchDimensionAndItemTakesItBack() {
        let a = Tensor(shape: [2, 2], data: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2], data: [5, 6, 7, 8])
        let batch = Tensor.stack([a, b])
        #expect(batch.shape == [2, 2, 2])
        #expect(batch.data == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(batch.batchCount == 2)
        #expect(batch.item(0) == a)
        #expect(batch.item(1) == b)
    }

    @Test func itemOfAMatrixIsARow() {
        let logits = Tensor(shape: [3, 2], data: [0, 1, 2, 3, 4, 5])
        #expect(logits.item(2) == Tensor(shape: [2], data: [4, 5]))
    }

    @Test func repeatingFillsTheShape() {
        let tensor = Tensor(shape: [1, 3, 2, 2], repeating: 0.5)
        #expect(tensor.elementCount == 12)
        #expect(tensor.data.allSatisfy { $0 == 0.5 })
    }

    @Test func outputsAreFoundByRole() {
        let logits = Tensor(shape: [1, 2], data: [0.1, 0.9])
        let outputs = ModelOutputs(tensors: ["fc": logits], roles: ["logits": "fc", "embedding": "pool"])
        #expect(outputs.logits == logits)
        #expect(outputs["fc"] == logits)
        #expect(outputs.embedding == nil)  // named in the roles but not produced
        #expect(outputs.detections == nil)  // no such role
    }
}
