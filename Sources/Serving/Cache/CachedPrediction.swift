import Classification
import Foundation

/// A prediction as the cache holds it, with its JSON body encoded once, so a hit is a lookup and
/// a copy: no encoder and no decode of the image.
public struct CachedPrediction: Sendable {
    public var prediction: Prediction
    /// `{"sha256":…,"model":…,"model_version":…,"labels":[…]}`, without cache status or embedding.
    public var json: [UInt8]
    /// A strong validator: the content never changes for a given key. Computed once here, not
    /// per request on the hit path.
    public let etag: String

    public init(_ prediction: Prediction) {
        var stripped = prediction
        stripped.embedding = nil
        self.prediction = prediction
        self.json = Self.encode(stripped)
        self.etag = "\"\(prediction.sha256.prefix(16))-\(Self.fnv(prediction.model + "/" + prediction.modelVersion))\""
    }

    /// Approximate bytes held, for the cache's budget.
    var cost: Int { json.count + (prediction.embedding?.count ?? 0) * 4 + prediction.labels.count * 48 + 256 }

    static func encode(_ prediction: Prediction) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return Array((try? encoder.encode(prediction)) ?? Data("{}".utf8))
    }

    static func fnv(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
