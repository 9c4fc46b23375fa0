import Foundation

extension ModelManifest {
    /// The decoder's userInfo key for the folder that relative paths are resolved against.
    static let baseDirectoryKey = CodingUserInfoKey(rawValue: "lenscale.manifestDirectory")!

    /// Reads and validates the manifest at `url`, resolving relative paths against its folder.
    public static func load(from url: URL) throws -> ModelManifest {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelManifestError.notFound(path: path)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelManifestError.unreadable(path: path, reason: error.localizedDescription)
        }
        return try decode(data, path: path, baseDirectory: url.deletingLastPathComponent())
    }

    /// Decodes manifest JSON; relative paths resolve against `baseDirectory`.
    static func decode(_ data: Data, path: String, baseDirectory: URL) throws -> ModelManifest {
        let decoder = JSONDecoder()
        decoder.userInfo[baseDirectoryKey] = baseDirectory.standardizedFileURL
        let manifest: ModelManifest
        do {
            // Check the schema version first: a newer exporter's manifest should say "export again",
            // not fail on whichever field changed.
            let header = try decoder.decode(SchemaHeader.self, from: data)
            guard header.schema == supportedSchema else {
                throw ModelManifestError.unsupportedSchema(path: path, found: header.schema, supported: supportedSchema)
            }
            manifest = try decoder.decode(ModelManifest.self, from: data)
        } catch let error as DecodingError {
            throw ModelManifestError.invalid(path: path, reason: describe(error))
        }
        var seen = Set<String>()
        for name in manifest.modelNames where !seen.insert(name).inserted {
            throw ModelManifestError.invalid(path: path, reason: "model name \"\(name)\" appears twice")
        }
        return manifest
    }

    /// Where the manifest is when nobody says otherwise: `$LENSCALE_MODELS/models.json`, else
    /// `./models/models.json` (the folder `make setup` writes).
    public static func defaultURL(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) -> URL {
        if let folder = environment["LENSCALE_MODELS"], !folder.isEmpty {
            let base = folder.hasPrefix("/") ? URL(fileURLWithPath: folder) : currentDirectory.appendingPathComponent(folder)
            return base.appendingPathComponent("models.json").standardizedFileURL
        }
        return currentDirectory.appendingPathComponent("models/models.json").standardizedFileURL
    }

    /// Loads the manifest from `defaultURL(environment:)`.
    public static func loadDefault(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ModelManifest {
        try load(from: defaultURL(environment: environment))
    }

    /// `path` as a file URL: absolute as is, relative against the manifest's folder (or the
    /// current directory when decoded without one).
    static func resolve(_ path: String, decoder: any Decoder) -> URL {
        if path.hasPrefix("/") {
            return URL(fileURLWithPath: path).standardizedFileURL
        }
        let base = decoder.userInfo[baseDirectoryKey] as? URL
            ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        return base.appendingPathComponent(path).standardizedFileURL
    }

    /// A DecodingError as "models[1].input.mean: expected 3 values", the form someone editing the
    /// JSON can act on.
    private static func describe(_ error: DecodingError) -> String {
        func where_(_ path: [any CodingKey]) -> String {
            let text = path.map { key in
                key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)"
            }.joined()
            return text.isEmpty ? "top level" : String(text.drop(while: { $0 == "." }))
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(where_(context.codingPath + [key])): missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(where_(context.codingPath)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return "\(where_(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }

    private struct SchemaHeader: Decodable {
        let schema: Int
    }
}
