import Foundation

/// The list of exported models and the ONNX Runtime they were checked against: `models/models.json`,
/// written by `tools/export_models.py`.
///
/// The manifest is the one place that says how each model wants its input (size, colour order,
/// resize, normalisation) and what its outputs are called, so the Swift side never hard-codes a
/// model. Paths in it may be relative; `load(from:)` resolves them against the manifest's folder
/// so that the models folder can be moved or pointed to with LENSCALE_MODELS.
public struct ModelManifest: Decodable, Sendable, Equatable {
    /// The only schema version this code reads; the exporter bumps it on incompatible changes.
    public static let supportedSchema = 1

    public let schema: Int
    public let onnxruntime: Runtime
    public let models: [ModelSpec]

    /// The ONNX Runtime build the models were exported and checked with.
    public struct Runtime: Decodable, Sendable, Equatable {
        public let version: String
        /// The shared library (`library` in the manifest, resolved against its folder when relative).
        public let libraryURL: URL

        enum CodingKeys: String, CodingKey {
            case version, library
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            version = try container.decode(String.self, forKey: .version)
            libraryURL = ModelManifest.resolve(try container.decode(String.self, forKey: .library), decoder: decoder)
        }
    }

    /// The model called `name`, or an error that lists the names there are (a typo in a CLI flag
    /// is the usual cause, and the list is the fix).
    public func model(named name: String) throws -> ModelSpec {
        guard let spec = models.first(where: { $0.name == name }) else {
            throw ModelManifestError.unknownModel(name: name, available: models.map(\.name))
        }
        return spec
    }

    /// The names of the models, in manifest order.
    public var modelNames: [String] { models.map(\.name) }
}
