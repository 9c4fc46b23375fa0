import CONNXRuntime

/// Owns one ONNX Runtime object and releases it exactly once, when the last reference goes.
///
/// Every ORT object we create is wrapped the moment the creating call returns, before anything
/// else can throw, so error paths cannot leak and nothing is released twice.
/// `@unchecked Sendable`: the pointer is never changed after init, and the objects we share across
/// threads (session, environment, memory info) are ones ORT documents as safe for concurrent use.
final class ORTObject: @unchecked Sendable {
    typealias Release = @convention(c) (OpaquePointer?) -> Void

    let pointer: OpaquePointer
    private let release: Release

    init(_ pointer: OpaquePointer, release: Release) {
        self.pointer = pointer
        self.release = release
    }

    deinit {
        release(pointer)
    }
}
