import Foundation

/// One model's entry in models.json: which file, what it computes, how to feed it and what its
/// outputs are called.
///
/// Everything a caller needs to prepare input and read output comes from here, so adding a model
/// is a manifest change, not a code change. The decoder checks the manifest's values; a spec
/// built or edited in code is checked against the real graph when a runner loads it.
public struct ModelSpec: Decodable, Sendable, Equatable {
    /// What the model computes, which decides how its outputs are read.
    public enum Task: String, Decodable, Sendable {
        case classification
        case detection
    }

    /// The name callers select the model by (`efficientnet-lite0`).
    public var name: String
    /// Identifies the exported weights, so results can say which model version produced them.
    public var version: String
    public var task: Task
    /// The ONNX file (`file` in the manifest, resolved against the manifest's folder).
    public var fileURL: URL
    /// Of the ONNX file, as recorded by the exporter.
    public var sha256: String
    public var bytes: Int
    /// Where the weights came from (package, URL, ...): free-form, for provenance reports.
    public var source: [String: String]
    public var license: String
    public var input: ModelInputSpec
    /// Output role (`logits`, `embedding`, `detections`) to the ONNX output name.
    public var outputs: [String: String]
    public var numClasses: Int?
    public var embeddingDims: Int?
    /// The labels file (`labels` in the manifest, resolved); nil for models without one.
    public var labelsURL: URL?

    /// For specs that do not come from a manifest: tests, and tools that try an ONNX file directly.
    public init(
        name: String,
        version: String = "",
        task: Task,
        fileURL: URL,
        sha256: String = "",
        bytes: Int = 0,
        source: [String: String] = [:],
        license: String = "",
        input: ModelInputSpec,
        outputs: [String: String],
        numClasses: Int? = nil,
        embeddingDims: Int? = nil,
        labelsURL: URL? = nil
    ) {
        self.name = name
        self.version = version
        self.task = task
        self.fileURL = fileURL
        self.sha256 = sha256
        self.bytes = bytes
        self.source = source
        self.license = license
        self.input = input
        self.outputs = outputs
        self.numClasses = numClasses
        self.embeddingDims = embeddingDims
        self.labelsURL = labelsURL
    }

    enum CodingKeys: String, CodingKey {
        case name, version, task, file, sha256, bytes, source, license, input, outputs, labels
        case numClasses = "num_classes"
        case embeddingDims = "embedding_dims"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        version = try container.decode(String.self, forKey: .version)
        task = try container.decode(Task.self, forKey: .task)
        fileURL = ModelManifest.resolve(try container.decode(String.self, forKey: .file), decoder: decoder)
        sha256 = try container.decode(String.self, forKey: .sha256)
        bytes = try container.decode(Int.self, forKey: .bytes)
        source = try container.decodeIfPresent([String: String].self, forKey: .source) ?? [:]
        license = try container.decode(String.self, forKey: .license)
        input = try container.decode(ModelInputSpec.self, forKey: .input)
        outputs = try container.decode([String: String].self, forKey: .outputs)
        numClasses = try container.decodeIfPresent(Int.self, forKey: .numClasses)
        embeddingDims = try container.decodeIfPresent(Int.self, forKey: .embeddingDims)
        labelsURL = try container.decodeIfPresent(String.self, forKey: .labels)
            .map { ModelManifest.resolve($0, decoder: decoder) }
        if name.isEmpty {
            throw DecodingError.dataCorruptedError(forKey: .name, in: container, debugDescription: "must not be empty")
        }
        if outputs.isEmpty {
            throw DecodingError.dataCorruptedError(
                forKey: .outputs, in: container, debugDescription: "must name at least one output")
        }
    }
}
