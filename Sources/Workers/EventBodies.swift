import Catalog

/// The JSON bodies of the image events, as consumers receive them in `data`.
struct IngestedBody: Encodable {
    var sha256: String
    var name: String?
    var format: String
    var width: Int
    var height: Int
    var bytes: Int
    /// Only the first frame was labelled.
    var animated: Bool
}

struct LabelledBody: Encodable {
    var sha256: String
    var model: String
    var modelVersion: String
    var labels: [StoredLabel]

    enum CodingKeys: String, CodingKey { case sha256, model, modelVersion = "model_version", labels }
}

struct EmbeddedBody: Encodable {
    var sha256: String
    var model: String
    var dims: Int
}

struct DuplicateFoundBody: Encodable {
    struct Near: Encodable {
        var sha256: String
        var distance: Int
    }
    var sha256: String
    var near: [Near]
}
