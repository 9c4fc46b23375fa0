import Classification
import Foundation
import ImageDecoding
import Testing
import TestSupport

/// Swift's whole path (decode, DCT scaling, resize, crop, normalise, infer) held against the
/// Python reference (Pillow + numpy + onnxruntime) on the same photos.
@Suite struct ReferenceParityTests {
    @Test(arguments: ["efficientnet-lite0", "efficientnet-lite2"])
    func topOneAgreesWithPython(model: String) async throws {
        let photos = try LabelledPhotos.all
        let reference = try await ReferenceClassifier.classify(photos.map(\.url), model: model, top: 1)
        #expect(reference.count == photos.count)
        var disagreements: [String] = []
        for (photo, expected) in zip(photos, reference) {
            let swift = try Classifiers.classify(photo.url, model: model, top: 1)
            #expect(swift.sha256 == expected.sha256, "\(photo.file): content hashes differ")
            if swift.labels[0].index != expected.labels[0].index {
                disagreements.append("\(photo.file): swift \(swift.labels[0].name) vs python \(expected.labels[0].name)")
            }
        }
        #expect(photos.count - disagreements.count >= 21, "\(disagreements)")
    }

    /// Without DCT scaling, Swift's tensor is Pillow's up to rounding: this pins the resize
    /// kernel, the crop offsets, the channel order and the normalisation.
    @Test(arguments: ["china.jpg", "chelsea.png", "grace_hopper.jpg"])
    func fullDecodeTensorMatchesPillow(_ file: String) async throws {
        let url = TestPaths.sharedImage(file)
        let classifier = try Classifiers.named("efficientnet-lite0")
        let decoded = try ImageDecoder().decode(try bytes(of: url)).image
        let swift = classifier.preprocessing.tensor(for: decoded)
        let python = try await ReferenceClassifier.tensor(for: url, model: "efficientnet-lite0")
        #expect(swift.count == python.count)
        let differences = zip(swift, python).map { abs($0 - $1) }
        let mean = differences.reduce(0, +) / Float(differences.count)
        // One 8-bit level is 1/128 = 0.0078 after normalisation.
        #expect(mean < 0.01, "\(file): mean difference \(mean)")
        #expect(differences.max()! < 0.2, "\(file): max difference \(differences.max()!)")
    }

    /// With DCT scaling the tensor moves a little further from Pillow's, but stays close.
    @Test func scaledDecodeTensorStaysClose() async throws {
        let url = TestPaths.sharedImage("level-20.jpg")
        let classifier = try Classifiers.named("efficientnet-lite0")
        let prepared = try classifier.prepare(try bytes(of: url))
        let python = try await ReferenceClassifier.tensor(for: url, model: "efficientnet-lite0")
        let mean = zip(prepared.tensor, python).map { abs($0 - $1) }.reduce(0, +) / Float(python.count)
        #expect(mean < 0.04, "mean difference \(mean)")
    }
}
