import CONNXRuntime

extension ONNXRuntime {
    /// Checks, before anything else uses the table, that the slots behave as declared.
    ///
    /// Our header's static asserts prove each slot sits at the index we meant; this proves the
    /// library agrees (a mis-numbered slot or a library of another ABI would otherwise show up as a
    /// crash or garbage inside a run). It costs microseconds. A status round trip exercises
    /// CreateStatus, GetErrorCode, GetErrorMessage and ReleaseStatus.
    static func selfTest(_ api: ORTAPI) throws {
        let probe = "lenscale self-test"
        let status = api.raw.CreateStatus(ORT_NOT_IMPLEMENTED, probe)
        let error = api.error(from: status, call: "CreateStatus")
        api.raw.ReleaseStatus(status)
        guard error == .onnxRuntime(call: "CreateStatus", code: .notImplemented, message: probe) else {
            throw InferenceError.runtimeSelfTestFailed(detail: "a status round trip gave \(error)")
        }
    }

    /// Wraps a known buffer as a tensor and reads it back: type, shape, element count and the data
    /// pointer must all come back as given (the zero-copy input path relies on the last one).
    static func selfTestTensor(_ api: ORTAPI, memory: ORTObject) throws {
        var buffer: [Float] = [1, 2, 3, 4, 5, 6]
        let shape: [Int64] = [2, 3]
        try buffer.withUnsafeMutableBytes { bytes in
            let value = try api.create("CreateTensorWithDataAsOrtValue", release: api.raw.ReleaseValue) {
                api.raw.CreateTensorWithDataAsOrtValue(
                    memory.pointer, bytes.baseAddress!, bytes.count, shape, shape.count,
                    ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, $0)
            }
            let info = try api.create("GetTensorTypeAndShape", release: api.raw.ReleaseTensorTypeAndShapeInfo) {
                api.raw.GetTensorTypeAndShape(value.pointer, $0)
            }
            var type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED
            try api.check(api.raw.GetTensorElementType(info.pointer, &type), "GetTensorElementType")
            let dims = try api.dimensions(of: info.pointer)
            var count = 0
            try api.check(api.raw.GetTensorShapeElementCount(info.pointer, &count), "GetTensorShapeElementCount")
            var data: UnsafeMutableRawPointer?
            try api.check(api.raw.GetTensorMutableData(value.pointer, &data), "GetTensorMutableData")
            guard type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, dims == [2, 3], count == 6,
                data == bytes.baseAddress
            else {
                throw InferenceError.runtimeSelfTestFailed(
                    detail: "a float32 [2, 3] tensor read back as type \(type.rawValue), shape \(dims), "
                        + "\(count) elements, \(data == bytes.baseAddress ? "same" : "another") buffer")
            }
        }
    }
}
