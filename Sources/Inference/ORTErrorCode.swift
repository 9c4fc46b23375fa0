import CONNXRuntime

/// ONNX Runtime's error code from a failed call, kept as ORT's raw value.
///
/// A struct rather than an enum because the list grows with ORT versions: a library newer than our
/// declarations may return a code we don't name, and it must still reach the user intact.
public struct ORTErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    init(_ code: OrtErrorCode) {
        self.rawValue = Int32(bitPattern: code.rawValue)
    }

    public static let fail = ORTErrorCode(ORT_FAIL)
    public static let invalidArgument = ORTErrorCode(ORT_INVALID_ARGUMENT)
    public static let noSuchFile = ORTErrorCode(ORT_NO_SUCHFILE)
    public static let noModel = ORTErrorCode(ORT_NO_MODEL)
    public static let engineError = ORTErrorCode(ORT_ENGINE_ERROR)
    public static let runtimeException = ORTErrorCode(ORT_RUNTIME_EXCEPTION)
    public static let invalidProtobuf = ORTErrorCode(ORT_INVALID_PROTOBUF)
    public static let modelLoaded = ORTErrorCode(ORT_MODEL_LOADED)
    public static let notImplemented = ORTErrorCode(ORT_NOT_IMPLEMENTED)
    public static let invalidGraph = ORTErrorCode(ORT_INVALID_GRAPH)
    public static let executionProviderFailure = ORTErrorCode(ORT_EP_FAIL)

    /// ORT's own spelling (`INVALID_PROTOBUF`), so a message can be searched for in ORT's issues.
    public var description: String {
        let names = [
            "OK", "FAIL", "INVALID_ARGUMENT", "NO_SUCHFILE", "NO_MODEL", "ENGINE_ERROR",
            "RUNTIME_EXCEPTION", "INVALID_PROTOBUF", "MODEL_LOADED", "NOT_IMPLEMENTED",
            "INVALID_GRAPH", "EP_FAIL", "MODEL_LOAD_CANCELED", "MODEL_REQUIRES_COMPILATION", "NOT_FOUND",
        ]
        return names.indices.contains(Int(rawValue)) ? names[Int(rawValue)] : "error code \(rawValue)"
    }
}
