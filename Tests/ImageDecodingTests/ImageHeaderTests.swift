import Testing
import TestSupport
@testable import ImageDecoding

@Suite struct ImageHeaderTests {
    @Test func sniffsFormatsByMagicNotName() throws {
        #expect(ImageFormat.sniff(try bytes(of: TestPaths.sharedImage("china.jpg"))) == .supported(.jpeg))
        #expect(ImageFormat.sniff(try bytes(of: TestPaths.sharedImage("coffee.png"))) == .supported(.png))
        #expect(ImageFormat.sniff(try bytes(of: TestPaths.fixture("lossy.webp"))) == .supported(.webp))
        #expect(ImageFormat.sniff(BadInputs.gif) == .supported(.gif))
        #expect(ImageFormat.sniff(BadInputs.jpeg2000) == .unsupported("JPEG 2000"))
        #expect(ImageFormat.sniff(BadInputs.text) == .unknown)
    }

    @Test func readsDimensionsOfEveryFixture() throws {
        let expected: [String: (Int, Int)] = [
            "large-4000.jpg": (4000, 3000), "tiny-64.jpg": (64, 43), "lossless.webp": (451, 300),
            "lossy.webp": (600, 400), "rgb16.png": (600, 400), "palette.png": (600, 400), "progressive.jpg": (451, 300),
        ]
        for (file, (width, height)) in expected {
            let header = try ImageHeader.read(try bytes(of: TestPaths.fixture(file)))
            #expect(header.width == width && header.height == height, "\(file): \(header.width)×\(header.height)")
        }
    }

    @Test func readsEXIFOrientationFromJPEGAndPNG() throws {
        let jpeg = try ImageHeader.read(try bytes(of: TestPaths.fixture("exif-rotated.jpg")))
        #expect(jpeg.orientation == .right)
        #expect(jpeg.width == 300 && jpeg.height == 451)
        #expect(jpeg.displayWidth == 451 && jpeg.displayHeight == 300)
        let png = try ImageHeader.read(try bytes(of: TestPaths.fixture("exif-rotated.png")))
        #expect(png.orientation == .left)
        let plain = try ImageHeader.read(try bytes(of: TestPaths.sharedImage("china.jpg")))
        #expect(plain.orientation == .up)
    }

    @Test func rejectsBombsFromTheHeaderAlone() {
        #expect(throws: DecodeError.tooManyPixels(width: 100_000, height: 100_000, limit: 100_000_000)) {
            try ImageHeader.read(BadInputs.pngHeader(width: 100_000, height: 100_000))
        }
        #expect(throws: DecodeError.tooManyPixels(width: 65_000, height: 65_000, limit: 100_000_000)) {
            try ImageHeader.read(BadInputs.jpegHeader(width: 65_000, height: 65_000))
        }
    }

    @Test func limitsAreConfigurable() throws {
        let photo = try bytes(of: TestPaths.sharedImage("china.jpg"))
        #expect(throws: DecodeError.tooManyBytes(count: photo.count, limit: 1000)) {
            try ImageHeader.read(photo, limits: DecodeLimits(maxBytes: 1000))
        }
        #expect(throws: DecodeError.tooManyPixels(width: 640, height: 427, limit: 1000)) {
            try ImageHeader.read(photo, limits: DecodeLimits(maxPixels: 1000))
        }
    }
}
