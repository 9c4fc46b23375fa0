import Foundation
import ImageDecoding
import Inference

/// NudeNet's YOLOv8 detector (`nudenet-320n` in models.json) at one input size.
///
/// The graph's height and width are dynamic, so the same file runs at 320 (its training size:
/// the light stage) or larger (the heavy stage). One runner per size because `ONNXModelRunner`
/// checks every input against the spec's size; a session costs about 130 ms and 12 MB once.
public struct NudeDetector: Sendable {
    public let runner: any ModelRunner
    public let labels: [String]
    public let decoder: YOLODecoder
    public let imageDecoder: ImageDecoder

    public var model: ModelSpec { runner.model }
    public var inputSize: Int { runner.model.input.size }

    public init(
        runner: any ModelRunner, decoder: YOLODecoder = YOLODecoder(), imageDecoder: ImageDecoder = ImageDecoder()
    ) throws(DetectorError) {
        let model = runner.model
        guard model.task == .detection, model.outputs["detections"] != nil else {
            throw .unsupportedModel("\(model.name) is a \(model.task.rawValue) model without a detections output")
        }
        guard model.input.color == .bgr, model.input.resize.rule == .letterbox else {
            throw .unsupportedModel("\(model.name) does not take a BGR letterboxed input")
        }
        do {
            labels = try model.loadLabels()
        } catch {
            throw .unsupportedModel("\(model.name): cannot load its labels: \(error)")
        }
        self.runner = runner
        self.decoder = decoder
        self.imageDecoder = imageDecoder
    }

    /// Loads `spec` at `inputSize` (the manifest's size when nil) with a session of its own.
    public init(
        spec: ModelSpec, runtime: ONNXRuntime, inputSize: Int? = nil,
        options: SessionOptions = SessionOptions(intraOpThreads: 1), decoder: YOLODecoder = YOLODecoder(),
        limits: DecodeLimits = .default
    ) throws(DetectorError) {
        var spec = spec
        if let inputSize { spec.input.size = inputSize }
        let runner: ONNXModelRunner
        do {
            runner = try ONNXModelRunner(model: spec, runtime: runtime, options: options)
        } catch {
            throw .inference("\(error)")
        }
        try self.init(runner: runner, decoder: decoder, imageDecoder: ImageDecoder(limits: limits))
    }

    /// Decodes `bytes` at full resolution and detects. Full resolution on purpose: nudenet decodes
    /// fully, and 2-tap bilinear from a DCT-scaled image gives measurably different scores.
    public func detect(bytes: [UInt8], mirrored: Bool = false) throws(DetectorError) -> DetectionResult {
        let image: RGBImage
        do {
            image = try imageDecoder.decode(bytes).image
        } catch {
            throw .decode(error)
        }
        return try detect(image, mirrored: mirrored)
    }

    /// Detects in an already decoded image (the online path reuses the classifier's decode).
    ///
    /// With `mirrored`, the pass runs on the mirrored input and boxes are mapped back.
    public func detect(_ image: RGBImage, mirrored: Bool = false) throws(DetectorError) -> DetectionResult {
        try detect(image, passes: mirrored ? [true] : [false])[0]
    }

    /// One result per pass (false: as is; true: mirrored), run as one batch.
    public func detect(_ image: RGBImage, passes: [Bool]) throws(DetectorError) -> [DetectionResult] {
        guard image.width > 0, image.height > 0, !passes.isEmpty else {
            throw .inference("an empty image or no passes")
        }
        let letterbox = Letterbox(size: inputSize, imageWidth: image.width, imageHeight: image.height)
        let planes = letterbox.tensor(for: image)
        let items = passes.map { $0 ? planes.mirroredPlanes(size: inputSize) : planes }
        let output = try run(Tensor(shape: [items.count, 3, inputSize, inputSize], data: items.flatMap { $0 }))
        var results: [DetectionResult] = []
        for (index, mirrored) in passes.enumerated() {
            results.append(try decoder.decode(output.item(index), letterbox: letterbox, labels: labels, mirrored: mirrored))
        }
        return results
    }

    /// The raw detection head for an input tensor `[N, 3, S, S]`: what the reference test compares.
    public func run(_ input: Tensor) throws(DetectorError) -> Tensor {
        do {
            guard let output = try runner.run(input).detections else {
                throw DetectorError.inference("\(model.name) returned no detections output")
            }
            return output
        } catch let error as DetectorError {
            throw error
        } catch {
            throw .inference("\(error)")
        }
    }
}
