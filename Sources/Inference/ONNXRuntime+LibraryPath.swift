import Foundation

extension ONNXRuntime {
    /// The library file to load: `explicit`, else `LENSCALE_ORT_LIB`, else the manifest's
    /// `onnxruntime.library` (already resolved against the manifest's folder). Relative paths
    /// from the first two resolve against the current directory.
    ///
    /// The file must exist: a missing library is the one setup mistake everybody makes first, so
    /// it gets its own error that names the setting it came from and says to run `make setup`,
    /// rather than dlopen's terse message.
    public static func resolveLibraryURL(
        explicit: String?,
        environment: [String: String],
        manifest: ModelManifest?
    ) throws -> URL {
        let path: String
        let source: String
        if let explicit, !explicit.isEmpty {
            (path, source) = (explicit, "the library path argument")
        } else if let fromEnvironment = environment["LENSCALE_ORT_LIB"], !fromEnvironment.isEmpty {
            (path, source) = (fromEnvironment, "LENSCALE_ORT_LIB")
        } else if let manifest {
            (path, source) = (manifest.onnxruntime.libraryURL.path, "models.json")
        } else {
            throw InferenceError.runtimeLibraryNotConfigured
        }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw InferenceError.runtimeLibraryNotFound(path: url.path, source: source)
        }
        return url
    }
}
