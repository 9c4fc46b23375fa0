import Foundation
import Hashing
import ImageDecoding
import Testing
import TestSupport

@Suite struct PerceptualHashTests {
    func hash(_ url: URL) throws -> PerceptualHash {
        PerceptualHash(image: try ImageDecoder().decode(try bytes(of: url)).image)
    }

    @Test func variantsOfOnePhotoStayClose() throws {
        let cat = try hash(TestPaths.sharedImage("chelsea.png"))
        for variant in ["progressive.jpg", "lossless.webp", "rgba.png", "exif-rotated.jpg", "large-4000.jpg", "cmyk.jpg"] {
            let distance = cat.distance(to: try hash(TestPaths.fixture(variant)))
            #expect(distance <= 6, "\(variant) is \(distance) bits from chelsea.png")
        }
        let coffee = try hash(TestPaths.sharedImage("coffee.png"))
        for variant in ["lossy.webp", "rgb16.png", "palette.png"] {
            let distance = coffee.distance(to: try hash(TestPaths.fixture(variant)))
            #expect(distance <= 8, "\(variant) is \(distance) bits from coffee.png")
        }
    }

    @Test func differentPhotosAreFarApart() throws {
        let photos = LabelledPhotos.all.map(\.url)
        let hashes = try photos.map(hash)
        var closest = 64
        for i in hashes.indices {
            for j in hashes.indices where j > i { closest = min(closest, hashes[i].distance(to: hashes[j])) }
        }
        #expect(closest >= 14, "two different shared photos are only \(closest) bits apart")
        // A hash is balanced around its median: about half the bits are set.
        #expect(hashes.allSatisfy { (28...36).contains($0.value.nonzeroBitCount) })
    }

    @Test func hashIgnoresSizeButNotContent() {
        let gradient = RGBImage(width: 400, height: 300, pixels: (0..<(400 * 300 * 3)).map { i in
            let pixel = i / 3
            return UInt8((pixel % 400) * 255 / 400 / 2 + (pixel / 400) * 255 / 300 / 2)
        })
        let small = RGBImage(width: 100, height: 75, pixels: (0..<(100 * 75 * 3)).map { i in
            let pixel = i / 3
            return UInt8((pixel % 100) * 255 / 100 / 2 + (pixel / 100) * 255 / 75 / 2)
        })
        let flipped = gradient.applying(.upMirrored)
        #expect(PerceptualHash(image: gradient).distance(to: PerceptualHash(image: small)) <= 2)
        #expect(PerceptualHash(image: gradient).distance(to: PerceptualHash(image: flipped)) >= 16)
    }

    @Test func hexRoundTrips() {
        let hash = PerceptualHash(0x00F0_0000_0000_0001)
        #expect(hash.hex == "00f0000000000001")
        #expect(PerceptualHash(hex: hash.hex) == hash)
        #expect(PerceptualHash(hex: "xyz") == nil)
        #expect(PerceptualHash(0).distance(to: PerceptualHash(.max)) == 64)
    }
}
