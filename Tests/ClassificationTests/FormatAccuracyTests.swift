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
        print("\(suffix): top-1 as the source on \(photos.count - disagreements.count) of \(photos.count); \(disagreements)")
        #expect(photos.count - disagreements.count >= 21, "\(suffix): \(disagreements)")
    }

    /// Decoded pixels within the encoders' loss of the source's, and both hashes within their
    /// match distances: the ingest's near-duplicate distance (8) and the hash banks' PDQ one (31).
    @Test(arguments: [("heic", ImageFormat.heif), ("avif", .avif), ("jxl", .jxl)])
    func reencodedPhotosAreNearDuplicates(suffix: String, format: ImageFormat) async throws {
        let photos = try LabelledPhotos.all
        let measured = try await OffPool.run {
            try photos.map { photo in
                let source = try ImageDecoder().decode(try bytes(of: photo.url)).image
                let encoded = try ImageDecoder().decode(try bytes(of: TestPaths.fixture("formats/\(photo.file).\(suffix)")))
                let image = encoded.image
                let sameSize = image.width == source.width && image.height == source.height
                // Every 7th sample: as telling as all of them for a shifted or recoloured image,
                // and a seventh of the time in a debug build.
                var (total, count) = (0, 0)
                if sameSize {
                    for i in stride(from: 0, to: image.pixels.count, by: 7) {
                        total += abs(Int(image.pixels[i]) - Int(source.pixels[i]))
                        count += 1
                    }
                }
                return (file: photo.file, format: encoded.header.format,
                        difference: sameSize ? Double(total) / Double(count) : .infinity,
                        phash: PerceptualCodes(image: source).distance(to: PerceptualCodes(image: image)),
                        pdq: PDQ.hash(source).hash.distance(to: PDQ.hash(image).hash))
            }
        }
        for item in measured {
            #expect(item.format == format)
            // Lossy at quality 75 to 85: a few levels per sample (rocket.jpg's smoke, the noisiest,
            // 6.4 to 7.1), never a shifted, swapped or recoloured image (tens of levels).
            #expect(item.difference < 9, "\(item.file).\(suffix) differs from its source by \(item.difference) per sample")
            #expect(item.phash <= 8, "\(item.file).\(suffix) is \(item.phash) bits from its source")
            #expect(item.pdq <= 31, "\(item.file).\(suffix)'s PDQ hash is \(item.pdq) bits from its source's")
        }
    }
}
