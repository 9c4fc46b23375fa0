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
        let photos = try LabelledPhotos.all.map(\.url)
        let hashes = try photos.map(hash)
        try #require(hashes.count >= 2, "a distance needs two photos")
        var closest = 64
        for i in hashes.indices {
            for j in hashes.indices where j > i { closest = min(closest, hashes[i].distance(to: hashes[j])) }
        }
        #expect(closest >= 14, "two different shared photos are only \(closest) bits apart")
        // A hash is balanced around its median: about half the bits are set.
        #expect(hashes.allSatisfy { (28...36).contains($0.value.nonzeroBitCount) })
    }

    @Test func hashIgnoresSizeButNotContent() throws {
        let photo = try ImageDecoder().decode(try bytes(of: TestPaths.sharedImage("china.jpg"))).image
        // The same photo at a quarter of its size (box-averaged by hand) hashes almost the same...
        let (w, h) = (photo.width / 4, photo.height / 4)
        var small = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                for c in 0..<3 {
                    var sum = 0
                    for dy in 0..<4 { for dx in 0..<4 { sum += Int(photo.pixels[((y * 4 + dy) * photo.width + x * 4 + dx) * 3 + c]) } }
                    small[(y * w + x) * 3 + c] = UInt8(sum / 16)
                }
            }
        }
        let full = PerceptualHash(image: photo)
        #expect(full.distance(to: PerceptualHash(image: RGBImage(width: w, height: h, pixels: small))) <= 4)
        // ...while its mirror image, the same pixels in another arrangement, does not.
        #expect(full.distance(to: PerceptualHash(image: photo.applying(.upMirrored))) >= 16)
    }

    @Test func cropCodesMatchCroppedCopies() throws {
        let photo = try ImageDecoder().decode(try bytes(of: TestPaths.sharedImage("castle-maintenon.jpg"))).image
        let (w, h) = (photo.width * 9 / 10, photo.height * 9 / 10)
        var cropped = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            let from = ((y + photo.height - h) * photo.width + (photo.width - w)) * 3
            cropped.replaceSubrange((y * w * 3)..<((y + 1) * w * 3), with: photo.pixels[from..<(from + w * 3)])
        }
        let original = PerceptualCodes(image: photo)
        let corner = PerceptualCodes(image: RGBImage(width: w, height: h, pixels: cropped))
        #expect(original.crops.count == PerceptualCodes.cropCount)
        // The bottom-right crop lines up with a copy cropped at the top-left: closer than full frames.
        #expect(corner.distance(to: original) <= 8)
        #expect(corner.distance(to: original) < corner.full.distance(to: original.full))
        #expect(corner.distance(to: original) == original.distance(to: corner))
    }

    @Test func hexRoundTrips() {
        let hash = PerceptualHash(0x00F0_0000_0000_0001)
        #expect(hash.hex == "00f0000000000001")
        #expect(PerceptualHash(hex: hash.hex) == hash)
        #expect(PerceptualHash(hex: "xyz") == nil)
        #expect(PerceptualHash(0).distance(to: PerceptualHash(.max)) == 64)
    }
}
