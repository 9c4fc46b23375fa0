import CONNXRuntime
import Foundation

/// A loaded ONNX Runtime library: its function table, one ORT environment, and the CPU memory
/// description that model inputs are wrapped with.
///
/// Loaded with dlopen at run time, from a path that is configuration (see `load`), because the
/// library ships inside the pinned Python wheel rather than somewhere the linker looks. A process
/// loads it once, where it is composed, and hands the one instance to every model it runs: an
/// environment is meant to be shared by all sessions. Nothing is cached behind the caller's
/// back; the library is never unloaded (dlopen's handle is kept), as ORT's global state would not
/// survive it, and ORT itself keeps one reference-counted environment per process.
///
/// `@unchecked Sendable`: everything here is immutable after init, and ORT documents the
/// environment and the C API as safe to use from several threads.
public final class ONNXRuntime: @unchecked Sendable {
    /// The library file, symlinks resolved.
    public let libraryURL: URL
    /// The library's own version string (`1.32.0`).
    public let version: String

    let api: ORTAPI
    let environment: ORTObject
    /// CPU memory, default arena: what zero-copy inputs are described as. Immutable, so shared.
    let cpuMemory: ORTObject
    /// ORT's default allocator, owned by ORT (never released); it allocates names we read.
    let allocator: OpaquePointer

    /// Loads ONNX Runtime and checks its function table against our declarations.
    ///
    /// The library path is, in order: `libraryPath`, then the environment's `LENSCALE_ORT_LIB`,
    /// then the manifest's `onnxruntime.library`. A path that names no file is an
    /// `InferenceError.runtimeLibraryNotFound` whose message says to run `make setup`.
    public static func load(
        libraryPath: String? = nil,
        manifest: ModelManifest? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ONNXRuntime {
        let url = try resolveLibraryURL(explicit: libraryPath, environment: environment, manifest: manifest)
        return try ONNXRuntime(libraryPath: url.resolvingSymlinksInPath().path)
    }

    private init(libraryPath: String) throws {
        var reason = [CChar](repeating: 0, count: 1024)
        let base = reason.withUnsafeMutableBufferPointer { buffer in
            lenscale_ort_open(libraryPath, buffer.baseAddress!, buffer.count)
        }
        guard let base else {
            let text = reason.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw InferenceError.runtimeLibraryLoadFailed(path: libraryPath, reason: text)
        }
        let version = String(cString: base.pointee.GetVersionString())
        guard let table = base.pointee.GetApi(UInt32(LENSCALE_ORT_API_VERSION)) else {
            throw InferenceError.runtimeAPIUnavailable(
                path: libraryPath, libraryVersion: version, requestedAPIVersion: Int(LENSCALE_ORT_API_VERSION))
        }
        if let missing = lenscale_ort_first_missing_slot(table) {
            throw InferenceError.runtimeSelfTestFailed(detail: "slot \(String(cString: missing)) is empty")
        }
        let api = ORTAPI(table: table)
        try Self.selfTest(api)

        // Warnings and up: ORT's informational logging would flood a CLI's stderr.
        let environment = try api.create("CreateEnv", release: api.raw.ReleaseEnv) {
            api.raw.CreateEnv(ORT_LOGGING_LEVEL_WARNING, "lenscale", $0)
        }
        let cpuMemory = try api.create("CreateCpuMemoryInfo", release: api.raw.ReleaseMemoryInfo) {
            api.raw.CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, $0)
        }
        var allocator: OpaquePointer?
        try api.check(api.raw.GetAllocatorWithDefaultOptions(&allocator), "GetAllocatorWithDefaultOptions")
        guard let allocator else {
            throw InferenceError.runtimeSelfTestFailed(detail: "GetAllocatorWithDefaultOptions returned no allocator")
        }
        try Self.selfTestTensor(api, memory: cpuMemory)

        self.libraryURL = URL(fileURLWithPath: libraryPath)
        self.version = version
        self.api = api
        self.environment = environment
        self.cpuMemory = cpuMemory
        self.allocator = allocator
    }
}
