extension ONNXModelRunner {
    /// Checks that the graph is what the manifest says it is: the named float32 NCHW input of the
    /// manifest's size (batch free), and float32 outputs for every role.
    static func validate(_ model: ModelSpec, inputs: [TensorDescription], outputs: [TensorDescription]) throws {
        guard let input = inputs.first(where: { $0.name == model.input.name }) else {
            throw InferenceError.inputNotFound(model: model.name, name: model.input.name, available: inputs.map(\.name))
        }
        if inputs.count > 1 {
            throw InferenceError.modelMismatch(
                model: model.name,
                detail: "the graph has \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))); "
                    + "Lenscale feeds exactly one")
        }
        let size = model.input.size
        let expected = [-1, 3, size, size]
        let fits =
            input.isFloat32 && input.shape.count == 4
            && zip(input.shape, expected).allSatisfy { actual, wanted in actual < 0 || wanted < 0 || actual == wanted }
        guard fits else {
            throw InferenceError.modelMismatch(
                model: model.name,
                detail: "input \(input.name) is \(input.summary), but the manifest describes float32"
                    + InferenceError.format(expected))
        }
        for (role, name) in model.outputs.sorted(by: { $0.key < $1.key }) {
            guard let output = outputs.first(where: { $0.name == name }) else {
                throw InferenceError.outputNotFound(
                    model: model.name, role: role, name: name, available: outputs.map(\.name))
            }
            guard output.isFloat32 else {
                throw InferenceError.modelMismatch(
                    model: model.name, detail: "output \(name) (\(role)) is \(output.summary), not float32")
            }
        }
    }
}
