/// Why ONNX Runtime could not be loaded, a model could not be opened, or a run failed.
///
/// Every failure inside ORT arrives as `.onnxRuntime`, with ORT's code, ORT's message and the C API
/// call that returned it, so a report can be matched against ORT's documentation and issues
/// without a debugger. The other cases are checks we make ourselves before ORT would fail less
/// clearly (or, for shapes and names, crash or silently compute garbage).
public enum InferenceError: Error, Sendable, Equatable {
    /// No library path was given, LENSCALE_ORT_LIB is unset, and there is no manifest to ask.
    case runtimeLibraryNotConfigured
    /// The configured ONNX Runtime library file does not exist. `source` says which setting named it.
    case runtimeLibraryNotFound(path: String, source: String)
    /// The file exists but could not be loaded as ONNX Runtime (dlopen's or our reason).
    case runtimeLibraryLoadFailed(path: String, reason: String)
    /// The library is older than the API version we need.
    case runtimeAPIUnavailable(path: String, libraryVersion: String, requestedAPIVersion: Int)
    /// The function table did not behave as our declarations expect: a wrong slot, or a library
    /// that is not the ABI we declared. Inference would be unsafe, so nothing runs.
    case runtimeSelfTestFailed(detail: String)
    /// An ORT call failed: `call` is the C API function, `message` ORT's own text.
    case onnxRuntime(call: String, code: ORTErrorCode, message: String)
    /// The model file named by the manifest does not exist.
    case modelFileNotFound(model: String, path: String)
    /// The manifest names an input the ONNX graph does not have.
    case inputNotFound(model: String, name: String, available: [String])
    /// The manifest maps an output role to a name the ONNX graph does not have.
    case outputNotFound(model: String, role: String, name: String, available: [String])
    /// The ONNX graph does not fit what Lenscale feeds and reads (one float NCHW input, float outputs).
    case modelMismatch(model: String, detail: String)
    /// A run was given a tensor of the wrong shape; `expected` uses -1 for the free batch size.
    case inputShapeMismatch(model: String, expected: [Int], got: [Int])
    /// A `SessionOptions` value ORT would accept silently but that makes no sense (negative threads).
    case invalidOption(String)
}

extension InferenceError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .runtimeLibraryNotConfigured:
            return "no ONNX Runtime library configured: pass a path, set LENSCALE_ORT_LIB, or run `make setup` "
                + "to install it and write models/models.json"
        case .runtimeLibraryNotFound(let path, let source):
            return "the ONNX Runtime library \(path) (from \(source)) does not exist: run `make setup` to install it"
        case .runtimeLibraryLoadFailed(let path, let reason):
            return "could not load the ONNX Runtime library \(path): \(reason)"
        case .runtimeAPIUnavailable(let path, let version, let requested):
            return "the ONNX Runtime library \(path) (version \(version)) does not offer C API version \(requested); "
                + "run `make setup` to install the pinned version"
        case .runtimeSelfTestFailed(let detail):
            return "the ONNX Runtime function table failed Lenscale's self-test (\(detail)): "
                + "the library does not match our declarations"
        case .onnxRuntime(let call, let code, let message):
            return "ONNX Runtime \(call) failed (\(code)): \(message)"
        case .modelFileNotFound(let model, let path):
            return "model \(model): file \(path) does not exist: run `make setup` to export the models"
        case .inputNotFound(let model, let name, let available):
            return "model \(model): the ONNX graph has no input \"\(name)\" (it has: \(available.joined(separator: ", ")))"
        case .outputNotFound(let model, let role, let name, let available):
            return "model \(model): the \(role) output \"\(name)\" is not in the ONNX graph "
                + "(it has: \(available.joined(separator: ", ")))"
        case .modelMismatch(let model, let detail):
            return "model \(model): \(detail)"
        case .inputShapeMismatch(let model, let expected, let got):
            return "model \(model): input shape \(Self.format(got)) does not match \(Self.format(expected))"
        case .invalidOption(let detail):
            return "invalid session option: \(detail)"
        }
    }

    /// A stable machine-readable code, for JSON error bodies and metrics labels.
    public var code: String {
        switch self {
        case .runtimeLibraryNotConfigured: return "runtime_not_configured"
        case .runtimeLibraryNotFound: return "runtime_not_found"
        case .runtimeLibraryLoadFailed: return "runtime_load_failed"
        case .runtimeAPIUnavailable: return "runtime_api_unavailable"
        case .runtimeSelfTestFailed: return "runtime_self_test_failed"
        case .onnxRuntime: return "onnxruntime"
        case .modelFileNotFound: return "model_file_not_found"
        case .inputNotFound: return "input_not_found"
        case .outputNotFound: return "output_not_found"
        case .modelMismatch: return "model_mismatch"
        case .inputShapeMismatch: return "input_shape_mismatch"
        case .invalidOption: return "invalid_option"
        }
    }

    /// `[N, 3, 224, 224]` for a shape whose batch size is free (-1).
    static func format(_ shape: [Int]) -> String {
        "[" + shape.map { $0 < 0 ? "N" : String($0) }.joined(separator: ", ") + "]"
    }
}
