import Foundation
import ImageDecoding
import Testing
import TestSupport

/// Photos converted to Display P3 and tagged with its profile, as recent phones save them: with
/// the profile applied, the model sees what it sees in the sRGB original; read as sRGB numbers,
/// colours are duller and predictions drift.
@Suite struct ColorProfileTests {
    struct Measure: Sendable {
        var topOneAgrees = 0
        var cosine: [Float] = []
        var meanCosine: Float { cosine.reduce(0, +) / Float(max(cosine.count, 1)) }
    }

    /// The JPEG without its APP2 ICC segments: the same P3 numbers, untagged.
    static func untagged(_ jpeg: [UInt8]) -> [UInt8] {
        var out = Array(jpeg.prefix(2))
        var index = 2
        while index + 4 <= jpeg.count, jpeg[index] == 0xFF, jpeg[index + 1] != 0xDA {
            let length = Int(jpeg[index + 2]) << 8 | Int(jpeg[index + 3])
            let isProfile = jpeg[index + 1] == 0xE2 && jpeg.count > index + 16 && Array(jpeg[index + 4..<index + 16]) == Array("ICC_PROFILE\0".utf8)
            if !isProfile { out += jpeg[index..<min(jpeg.count, index + 2 + length)] }
            index += 2 + length
        }
        return out + jpeg[min(index, jpeg.count)...]
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        var dot: Float = 0, na: Float = 0, nb: Float = 0
        for i in a.indices { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i] }
        return dot / (na.squareRoot() * nb.squareRoot())
    }

    @Test func displayP3PhotosMatchTheirSRGBOriginalsOnlyWithTheProfileApplied() async throws {
        let photos = try LabelledPhotos.all
        let (converted, ignored) = try await OffPool.run { try Self.measure(photos) }
        print("P3 (\(photos.count) photos): top-1 as the sRGB original \(converted.topOneAgrees) converted, \(ignored.topOneAgrees) untagged; "
              + "embedding cosine to the original, mean \(converted.meanCosine) converted, \(ignored.meanCosine) untagged; "
              + "min \(converted.cosine.min() ?? 0) converted, \(ignored.cosine.min() ?? 0) untagged")
        #expect(converted.topOneAgrees >= ignored.topOneAgrees)
        // Two photos sit on a class boundary that the q95 re-encode alone moves them across.
        #expect(converted.topOneAgrees >= photos.count - 2)
        #expect(converted.meanCosine > ignored.meanCosine)
        #expect(converted.meanCosine > 0.98)
    }

    /// Each photo's sRGB original, its P3 copy and the P3 copy stripped of its profile, through
    /// the model in one batch: top-1 agreement with the original, and embedding cosines.
    static func measure(_ photos: [LabelledPhoto]) throws -> (converted: Measure, ignored: Measure) {
        let classifier = try Classifiers.named("efficientnet-lite0")
        var converted = Measure(), ignored = Measure()
        for photo in photos {
            let tagged = try bytes(of: TestPaths.fixture("formats/\(photo.file).p3.jpg"))
            let plain = untagged(tagged)
            guard plain.count < tagged.count else { throw TestDataMissing(file: TestPaths.fixture("formats/\(photo.file).p3.jpg"), remedy: "it carries no profile; run `make fixtures`") }
            let batch = try [bytes(of: photo.url), tagged, plain].map { try classifier.prepare($0) }
            let predictions = try classifier.classify(batch, top: 1, embeddings: true)
            let (original, withProfile, without) = (predictions[0], predictions[1], predictions[2])
            guard let reference = original.embedding, let a = withProfile.embedding, let b = without.embedding else { continue }
            if withProfile.labels[0].index == original.labels[0].index { converted.topOneAgrees += 1 }
            if without.labels[0].index == original.labels[0].index { ignored.topOneAgrees += 1 }
            converted.cosine.append(cosine(reference, a))
            ignored.cosine.append(cosine(reference, b))
        }
        return (converted, ignored)
    }

    /// The same pixels in PNG (`iCCP`, deflated) and WebP (`ICCP`) come out like the JPEG's.
    @Test(arguments: ["p3-chelsea", "p3-coffee"])
    func everyContainerCarriesItsProfile(name: String) throws {
        let decoder = ImageDecoder()
        let source = try decoder.decode(try bytes(of: TestPaths.sharedImage(name == "p3-chelsea" ? "chelsea.png" : "coffee.png"))).image
        func difference(_ file: String) throws -> Double {
            let image = try decoder.decode(try bytes(of: TestPaths.fixture(file))).image
            var total = 0
            for i in image.pixels.indices { total += abs(Int(image.pixels[i]) - Int(source.pixels[i])) }
            return Double(total) / Double(image.pixels.count)
        }
        let untagged = try difference("\(name).untagged.jpg")
        for file in ["\(name).jpg", "\(name).png", "\(name).webp"] {
            let tagged = try difference(file)
            #expect(tagged < untagged / 2, "\(file): \(tagged) per sample from the sRGB source; untagged \(untagged)")
        }
    }
}
