import CONNXRuntime
import Foundation

/// One ONNX Runtime inference session: the compiled graph, its input and output descriptions, and
/// runs on float32 tensors. Knows nothing of manifests; `ONNXModelRunner` adds that.
///
/// `@unchecked Sendable`: only immutable state, and ORT documents `Run` on one session as safe
/// from several threads at once, which is how a server shares one loaded model between requests.
final class ORTSession: @unchecked Sendable {
    /// Kept so the environment outlives every session created in it.
    let runtime: ONNXRuntime
    private let handle: ORTObject
    let inputs: [TensorDescription]
    let outputs: [TensorDescription]

    init(runtime: ONNXRuntime, modelPath: String, options: SessionOptions) throws {
        let api = runtime.api
        let sessionOptions = try Self.makeSessionOptions(api, options)
        handle = try api.create("CreateSession", release: api.raw.ReleaseSession) {
            api.raw.CreateSession(runtime.environment.pointer, modelPath, sessionOptions.pointer, $0)
        }
        self.runtime = runtime

        var inputCount = 0
        try api.check(api.raw.SessionGetInputCount(handle.pointer, &inputCount), "SessionGetInputCount")
        var outputCount = 0
        try api.check(api.raw.SessionGetOutputCount(handle.pointer, &outputCount), "SessionGetOutputCount")
        let session = handle.pointer
        let allocator = runtime.allocator
        inputs = try (0..<inputCount).map { index in
            try Self.describe(
                api, allocator: allocator,
                name: ("SessionGetInputName", { api.raw.SessionGetInputName(session, index, allocator, $0) }),
                typeInfo: ("SessionGetInputTypeInfo", { api.raw.SessionGetInputTypeInfo(session, index, $0) }))
        }
        outputs = try (0..<outputCount).map { index in
            try Self.describe(
                api, allocator: allocator,
                name: ("SessionGetOutputName", { api.raw.SessionGetOutputName(session, index, allocator, $0) }),
                typeInfo: ("SessionGetOutputTypeInfo", { api.raw.SessionGetOutputTypeInfo(session, index, $0) }))
        }
    }

    /// Runs the graph on one float32 input and returns the named float32 outputs.
    ///
    /// The input is not copied: ORT reads `input.data` in place for the duration of the call.
    func run(input: Tensor, inputName: String, outputNames: [String]) throws -> [String: Tensor] {
        let api = runtime.api
        let shape = input.shape.map { Int64($0) }
        var produced = [OpaquePointer?](repeating: nil, count: outputNames.count)
        var status: OpaquePointer?
        try input.data.withUnsafeBufferPointer { buffer in
            // ORT takes a mutable pointer for generality but never writes an input.
            let data = UnsafeMutableRawPointer(mutating: buffer.baseAddress!)
            let value = try api.create("CreateTensorWithDataAsOrtValue", release: api.raw.ReleaseValue) {
                api.raw.CreateTensorWithDataAsOrtValue(
                    runtime.cpuMemory.pointer, data, buffer.count * MemoryLayout<Float>.stride,
                    shape, shape.count, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, $0)
            }
            var inputValues: [OpaquePointer] = [value.pointer]
            withCStrings([inputName]) { inputNames in
                withCStrings(outputNames) { outputNamePointers in
                    status = api.raw.Run(
                        handle.pointer, nil, inputNames, &inputValues, 1,
                        outputNamePointers, outputNames.count, &produced)
                }
            }
            withExtendedLifetime(value) {}
        }
        // Own whatever Run produced before looking at its status, so a failure leaks nothing.
        let owned = produced.map { $0.map { ORTObject($0, release: api.raw.ReleaseValue) } }
        try api.check(status, "Run")
        var result: [String: Tensor] = [:]
        for (name, value) in zip(outputNames, owned) {
            guard let value else {
                throw InferenceError.onnxRuntime(call: "Run", code: .fail, message: "output \(name) was not produced")
            }
            result[name] = try readTensor(value, name: name)
        }
        return result
    }

    /// Copies an output value into a `Tensor` (the value is released by its owner afterwards).
    private func readTensor(_ value: ORTObject, name: String) throws -> Tensor {
        let api = runtime.api
        let info = try api.create("GetTensorTypeAndShape", release: api.raw.ReleaseTensorTypeAndShapeInfo) {
            api.raw.GetTensorTypeAndShape(value.pointer, $0)
        }
        var type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED
        try api.check(api.raw.GetTensorElementType(info.pointer, &type), "GetTensorElementType")
        let shape = try api.dimensions(of: info.pointer)
        guard type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT else {
            let description = TensorDescription(name: name, elementType: Int32(bitPattern: type.rawValue), shape: shape)
            throw InferenceError.onnxRuntime(
                call: "Run", code: .fail, message: "output \(name) is \(description.summary), not float32")
        }
        var count = 0
        try api.check(api.raw.GetTensorShapeElementCount(info.pointer, &count), "GetTensorShapeElementCount")
        var data: UnsafeMutableRawPointer?
        try api.check(api.raw.GetTensorMutableData(value.pointer, &data), "GetTensorMutableData")
        let elements = UnsafeBufferPointer(start: data?.assumingMemoryBound(to: Float.self), count: data == nil ? 0 : count)
        guard elements.count == Tensor.elementCount(of: shape) else {
            throw InferenceError.onnxRuntime(
                call: "GetTensorMutableData", code: .fail,
                message: "output \(name) has \(elements.count) elements for shape \(shape)")
        }
        return Tensor(shape: shape, data: Array(elements))
    }

    private static func makeSessionOptions(_ api: ORTAPI, _ options: SessionOptions) throws -> ORTObject {
        // ORT accepts negative thread counts without complaint; refuse them here.
        guard options.intraOpThreads >= 0, options.interOpThreads >= 0 else {
            throw InferenceError.invalidOption(
                "thread counts must be 0 (ORT's choice) or more, got intra-op \(options.intraOpThreads), "
                    + "inter-op \(options.interOpThreads)")
        }
        let sessionOptions = try api.create("CreateSessionOptions", release: api.raw.ReleaseSessionOptions) {
            api.raw.CreateSessionOptions($0)
        }
        let pointer = sessionOptions.pointer
        try api.check(
            api.raw.SetIntraOpNumThreads(pointer, Int32(clamping: options.intraOpThreads)), "SetIntraOpNumThreads")
        try api.check(
            api.raw.SetInterOpNumThreads(pointer, Int32(clamping: options.interOpThreads)), "SetInterOpNumThreads")
        let mode: ExecutionMode = options.executionMode == .parallel ? ORT_PARALLEL : ORT_SEQUENTIAL
        try api.check(api.raw.SetSessionExecutionMode(pointer, mode), "SetSessionExecutionMode")
        let level: GraphOptimizationLevel
        switch options.graphOptimization {
        case .disabled: level = ORT_DISABLE_ALL
        case .basic: level = ORT_ENABLE_BASIC
        case .extended: level = ORT_ENABLE_EXTENDED
        case .all: level = ORT_ENABLE_ALL
        }
        try api.check(api.raw.SetSessionGraphOptimizationLevel(pointer, level), "SetSessionGraphOptimizationLevel")
        try api.check(
            api.raw.AddSessionConfigEntry(pointer, "session.intra_op.allow_spinning", options.allowSpinning ? "1" : "0"),
            "AddSessionConfigEntry")
        return sessionOptions
    }

    /// Name, element type and shape of one input or output.
    private static func describe(
        _ api: ORTAPI,
        allocator: OpaquePointer,
        name: (call: String, body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> OpaquePointer?),
        typeInfo: (call: String, body: (UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?)
    ) throws -> TensorDescription {
        var rawName: UnsafeMutablePointer<CChar>?
        let status = name.body(&rawName)
        defer {
            if let rawName {
                // Freeing with the allocator that made it cannot fail in a way we could act on.
                if let freeStatus = api.raw.AllocatorFree(allocator, rawName) {
                    api.raw.ReleaseStatus(freeStatus)
                }
            }
        }
        try api.check(status, name.call)
        let text = rawName.map { String(cString: $0) } ?? ""

        let info = try api.create(typeInfo.call, release: api.raw.ReleaseTypeInfo, typeInfo.body)
        // The tensor info is borrowed from `info`, so `info` must stay alive while it is read.
        return try withExtendedLifetime(info) {
            var tensorInfo: OpaquePointer?
            try api.check(api.raw.CastTypeInfoToTensorInfo(info.pointer, &tensorInfo), "CastTypeInfoToTensorInfo")
            guard let tensorInfo else {
                return TensorDescription(name: text, elementType: nil, shape: [])
            }
            var type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED
            try api.check(api.raw.GetTensorElementType(tensorInfo, &type), "GetTensorElementType")
            let shape = try api.dimensions(of: tensorInfo)
            return TensorDescription(name: text, elementType: Int32(bitPattern: type.rawValue), shape: shape)
        }
    }
}

/// Calls `body` with a C array of C strings for ORT's `const char *const *` name parameters.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>>) -> R) -> R {
    let copies = strings.map { string in
        string.withCString { source -> UnsafeMutablePointer<CChar> in
            let length = strlen(source) + 1
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: length)
            copy.initialize(from: source, count: length)
            return copy
        }
    }
    defer { copies.forEach { $0.deallocate() } }
    let pointers = copies.map { UnsafePointer($0) }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
