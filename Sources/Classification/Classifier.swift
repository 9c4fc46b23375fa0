import Foundation
import Hashing
import ImageDecoding
import Inference

/// Turns image bytes into predictions with one classification model.
///
/// Preparation and inference are separate calls so pipelines can decode many images in
/// parallel while the model runs a batch.
public struct Classifier: Sendable {
    public let runner: any ModelRunner
    public let preprocessing: Preprocessing
    public let decoder: ImageDecoder
    public let labels: [String]
    /// What every prediction records as its model version: the weights' version plus a digest of
    /// the preprocessing. Caches and the catalog key on it, so a change to either never serves
    /// answers computed under the old one.
    public let resultVersion: String

    public var model: ModelSpec { runner.model }

    public init(runner: any ModelRunner, decoder: ImageDecoder = ImageDecoder()) throws(ClassificationError) {
        let model = runner.model
        guard model.task == .classification, model.outputs["logits"] != nil else {
            throw .unsupportedModel("\(model.name) is a \(model.task.rawValue) model without logits")
        }
        self.runner = runner
        self.preprocessing = try model.input.preprocessing()
        self.decoder = decoder
        self.resultVersion = Self.resultVersion(model: model, preprocessing: preprocessing)
        do {
            self.labels = try model.loadLabels()
        } catch {
            throw .unsupportedModel("\(model.name): cannot load its labels: \(error)")
        }
    }

    /// See `resultVersion`; also what queues and batch outputs record for a model they have not
    /// loaded (`ModelSpec.resultVersion`).
    static func resultVersion(model: ModelSpec, preprocessing: Preprocessing) -> String {
        "\(model.version)+pp\(ContentHash(of: Array(preprocessing.fingerprint.utf8)).hex.prefix(8))"
    }

    /// Hashes, decodes (DCT-scaled as far as the model input allows) and preprocesses one image.
    ///
    /// - Parameter sha256: the bytes' content hash when the caller already computed it (ingest
    ///   hashes first to skip known images), so it is not computed twice.
    public func prepare(_ bytes: [UInt8], sha256: String? = nil, keepImage: Bool = false) throws(ClassificationError) -> PreparedImage {
        let decoded: ImageDecoder.Decoded
        do {
            decoded = try decoder.decode(bytes, minimumShorterSide: preprocessing.shorterSide)
        } catch {
            throw .decode(error)
        }
        return PreparedImage(
            sha256: sha256 ?? ContentHash(of: bytes).hex,
            header: decoded.header,
            tensor: preprocessing.tensor(for: decoded.image),
            image: keepImage ? decoded.image : nil
        )
    }

    /// Runs the model on a batch of prepared images and returns one prediction each, in order.
    public func classify(_ batch: [PreparedImage], top: Int = 5, embeddings: Bool = false) throws(ClassificationError) -> [Prediction] {
        guard !batch.isEmpty else { return [] }
        let size = preprocessing.inputSize
        var input = [Float]()
        input.reserveCapacity(batch.count * preprocessing.elementCount)
        for image in batch { input.append(contentsOf: image.tensor) }
        let outputs: ModelOutputs
        do {
            outputs = try runner.run(Tensor(shape: [batch.count, 3, size, size], data: input))
        } catch let error as InferenceError {
            throw .inference(error)
        } catch {
            throw .unsupportedModel("\(error)")
        }
        guard let logits = outputs.logits else {
            throw .unsupportedModel("\(model.name) returned no logits")
        }
        let classes = logits.data.count / batch.count
        let embedding = embeddings ? outputs.embedding : nil
        let dims = embedding.map { $0.data.count / batch.count } ?? 0
        return batch.indices.map { i in
            let row = Array(logits.data[i * classes..<(i + 1) * classes])
            return Prediction(
                sha256: batch[i].sha256,
                model: model.name,
                modelVersion: resultVersion,
                labels: Self.topLabels(logits: row, count: top, names: labels),
                embedding: embedding.map { Array($0.data[i * dims..<(i + 1) * dims]) }
            )
        }
    }

    /// Softmax over the logits, then the `count` most probable classes.
    static func topLabels(logits: [Float], count: Int, names: [String]) -> [Label] {
        guard let maximum = logits.max() else { return [] }
        let exponentials = logits.map { exp(Double($0 - maximum)) }
        let total = exponentials.reduce(0, +)
        let order = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        return order.prefix(max(0, count)).map { index in
            Label(index: index, name: index < names.count ? names[index] : "class \(index)", score: Float(exponentials[index] / total))
        }
    }
}
