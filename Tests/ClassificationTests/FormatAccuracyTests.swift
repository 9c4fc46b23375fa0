import Foundation
import Hashing
import ImageDecoding
import Testing
import TestSupport

/// A photo re-encoded as HEIC, AVIF or JPEG XL is the same photo to every consumer: the
/// classifier's top class, and the perceptual hash within near-duplicate distance.
@Suite struct FormatAccuracyTests {
    @Test(arguments: ["heic", "avif", "jxl"])
    func reencodedPhotosKeepTheirTopClass(suffix: String) async throws {
        let photos = try LabelledPhotos.all
        let disagreements = try await OffPool.run {
            try photos.compactMap { photo -> String? in
                let source = try Classifiers.classify(photo.url, model: "efficientnet-lite0")
                let encoded = try Classifiers.classify(TestPaths.fixture("formats/\(photo.file).\(suffix)"), model: "efficientnet-lite0")
                guard source.labels[0].index != encoded.labels[0].index else { return nil }
                return "\(photo.file): \(source.labels[0].name) → \(encoded.labels[0].name)"
            }
        }
        #expect(photos.count - disagreements.count >= 21, "\(suffix): \(disagreements)")
    }

    @Test(arguments: ["heic", "avif", "jxl"])
    func reencodedPhotosAreNearDuplicates(suffix: String) async throws {
        let photos = try LabelledPhotos.all
        let distances = try await OffPool.run {
            try photos.map { photo in
                let source = PerceptualCodes(image: try ImageDecoder().decode(try bytes(of: photo.url)).image)
                let encoded = PerceptualCodes(image: try ImageDecoder().decode(try bytes(of: TestPaths.fixture("formats/\(photo.file).\(suffix)"))).image)
                return (photo.file, source.distance(to: encoded))
            }
        }
        for (file, distance) in distances {
            #expect(distance <= 8, "\(file).\(suffix) is \(distance) bits from its source")
        }
    }
}
