/// Why models.json, a model's entry in it, or a model's labels could not be used.
///
/// Separate from `InferenceError` because these come before ONNX Runtime is involved: they are
/// setup problems (nothing installed, a stale or hand-edited manifest), and their messages say how
/// to fix the setup.
public enum ModelManifestError: Error, Sendable, Equatable {
    /// No manifest at `path`: the models have not been exported yet.
    case notFound(path: String)
    /// The file exists but could not be read.
    case unreadable(path: String, reason: String)
    /// The JSON does not match the schema; `reason` names the offending field.
    case invalid(path: String, reason: String)
    /// The manifest was written by a newer (or older) exporter than this code reads.
    case unsupportedSchema(path: String, found: Int, supported: Int)
    /// No model of that name; `available` lists the ones the manifest has.
    case unknownModel(name: String, available: [String])
    /// The model's entry has no `labels` file.
    case labelsNotDeclared(model: String)
    /// The labels file could not be read.
    case labelsUnreadable(path: String, reason: String)
    /// The labels file has a different number of lines than the model has classes.
    case labelCountMismatch(model: String, expected: Int, found: Int)
}

extension ModelManifestError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notFound(let path):
            return "no model manifest at \(path): run `make setup` to export the models, "
                + "or set LENSCALE_MODELS to the folder that holds models.json"
        case .unreadable(let path, let reason):
            return "could not read the model manifest \(path): \(reason)"
        case .invalid(let path, let reason):
            return "the model manifest \(path) is invalid: \(reason)"
        case .unsupportedSchema(let path, let found, let supported):
            return "the model manifest \(path) has schema \(found), but this build reads schema \(supported): "
                + "run `make setup` to export the models again"
        case .unknownModel(let name, let available):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            return "unknown model \"\(name)\"; available models: \(list)"
        case .labelsNotDeclared(let model):
            return "model \(model) has no labels file in the manifest"
        case .labelsUnreadable(let path, let reason):
            return "could not read the labels file \(path): \(reason)"
        case .labelCountMismatch(let model, let expected, let found):
            return "model \(model): the labels file has \(found) names for \(expected) classes"
        }
    }

    /// A stable machine-readable code, for JSON error bodies and metrics labels.
    public var code: String {
        switch self {
        case .notFound: return "manifest_not_found"
        case .unreadable: return "manifest_unreadable"
        case .invalid: return "manifest_invalid"
        case .unsupportedSchema: return "manifest_unsupported_schema"
        case .unknownModel: return "unknown_model"
        case .labelsNotDeclared: return "labels_not_declared"
        case .labelsUnreadable: return "labels_unreadable"
        case .labelCountMismatch: return "label_count_mismatch"
        }
    }
}
