import CONNXRuntime

/// The ONNX Runtime function table plus the two idioms every call goes through: a failed status
/// becomes an `InferenceError` naming the call, and a created object is owned at once.
///
/// `@unchecked Sendable`: the table is ORT's static, immutable array of function pointers.
struct ORTAPI: @unchecked Sendable {
    let table: UnsafePointer<OrtApi>

    /// Shorthand for calling through the table: `api.raw.CreateEnv(...)`.
    var raw: OrtApi { table.pointee }

    /// Throws for a non-NULL status, carrying ORT's code and message; releases the status.
    func check(_ status: OpaquePointer?, _ call: String) throws {
        guard let status else { return }
        let error = self.error(from: status, call: call)
        table.pointee.ReleaseStatus(status)
        throw error
    }

    /// Reads a status into our error type (without releasing it).
    func error(from status: OpaquePointer, call: String) -> InferenceError {
        let code = ORTErrorCode(table.pointee.GetErrorCode(status))
        let message = String(cString: table.pointee.GetErrorMessage(status))
        return .onnxRuntime(call: call, code: code, message: message)
    }

    /// Runs a creating call (`CreateX(..., &out)`) and owns its product. Should a failing call
    /// still have produced an object, that object is released before the error is thrown.
    func create(
        _ call: String,
        release: ORTObject.Release,
        _ body: (UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?
    ) throws -> ORTObject {
        var out: OpaquePointer?
        let status = body(&out)
        let owned = out.map { ORTObject($0, release: release) }
        try check(status, call)
        guard let owned else {
            throw InferenceError.onnxRuntime(call: call, code: .fail, message: "returned success but no object")
        }
        return owned
    }

    /// The dimensions in a type-and-shape info, -1 for dynamic ones.
    func dimensions(of info: OpaquePointer) throws -> [Int] {
        var rank = 0
        try check(raw.GetDimensionsCount(info, &rank), "GetDimensionsCount")
        var dims = [Int64](repeating: 0, count: rank)
        if rank > 0 {
            try check(raw.GetDimensions(info, &dims, rank), "GetDimensions")
        }
        return dims.map { Int($0) }
    }
}
