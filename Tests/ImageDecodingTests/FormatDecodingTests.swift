import Foundation
import ImageDecoding
import Testing
import TestSupport

/// HEIC, AVIF, JPEG XL, GIF, TIFF and BMP, each against the photo it was made from.
@Suite struct FormatDecodingTests {
    func decode(_ url: URL) throws -> ImageDecoder.Decoded {
        try ImageDecoder().decode(try bytes(of: url))
    }

    /// Mean absolute difference per sample between two images of one size.
    func difference(_ a: RGBImage, _ b: RGBImage) throws -> Double {
        try #require(a.width == b.width && a.height == b.height, "\(a.width)×\(a.height) against \(b.width)×\(b.height)")
        return Self.meanDifference(a, b)
    }

    static func meanDifference(_ a: RGBImage, _ b: RGBImage) -> Double {
        var total = 0
        for i in a.pixels.indices { total += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
        return Double(total) / Double(a.pixels.count)
    }

    /// Lossless layouts decode to the source's exact pixels; palette and bit-reduced ones to
    /// within their quantisation.
    @Test(arguments: [
        ("bmp24.bmp", 0.0), ("topdown.bmp", 0.0), ("bmp32.bmp", 0.0), ("lzw.tiff", 0.0), ("tiled.tiff", 0.0),
        ("rgb16.tiff", 0.0), ("multipage.tiff", 0.0), ("bmp8.bmp", 3.0), ("rle8.bmp", 3.0), ("bmp16.bmp", 3.0),
        ("bmp565.bmp", 3.0), ("bmp4.bmp", 10.0), ("still.gif", 3.0), ("interlaced.gif", 3.0), ("animated.gif", 3.0),
    ])
    func layoutsMatchTheirSource(file: String, tolerance: Double) throws {
        let source = try decode(TestPaths.sharedImage("coffee.png")).image
        let decoded = try decode(TestPaths.fixture(file))
        let diff = try difference(decoded.image, source)
        #expect(diff <= tolerance, "\(file) differs from coffee.png by \(diff) per sample")
    }

    @Test func oneBitBMPIsBlackAndWhite() throws {
        let decoded = try decode(TestPaths.fixture("bmp1.bmp"))
        #expect(decoded.header.format == .bmp && decoded.image.width == 600 && decoded.image.height == 400)
        #expect(Set(decoded.image.pixels) == [0, 255])
    }

    @Test func tiffOrientationIsApplied() throws {
        let cat = try decode(TestPaths.sharedImage("chelsea.png")).image
        let rotated = try decode(TestPaths.fixture("rotated.tiff"))
        #expect(rotated.header.orientation == .right)
        #expect(try difference(rotated.image, cat) == 0)
    }

    /// HEIF's `irot` and `imir` properties, applied by libheif: the header reports the size as
    /// shown, and the pixels come out as the photo was before it was stored turned or mirrored.
    @Test(arguments: ["irot.avif", "imir.avif"])
    func heifTransformsAreApplied(file: String) throws {
        let cat = try decode(TestPaths.sharedImage("chelsea.png")).image
        let data = try bytes(of: TestPaths.fixture(file))
        let header = try ImageHeader.read(data)
        #expect((header.width, header.height, header.orientation) == (451, 300, .up))
        let diff = try difference(try ImageDecoder().decode(data).image, cat)
        // Near-lossless AV1: a level or two; a wrong turn or mirror is tens of levels.
        #expect(diff < 4, "\(file) differs from chelsea.png by \(diff) per sample")
    }

    @Test func animationIsFlaggedAndTheFirstFrameDecoded() throws {
        #expect(try decode(TestPaths.fixture("animated.gif")).header.isAnimated)
        #expect(try !decode(TestPaths.fixture("still.gif")).header.isAnimated)
        #expect(try !decode(TestPaths.fixture("multipage.tiff")).header.isAnimated)
        #expect(try !decode(TestPaths.fixture("formats/coffee.png.heic")).header.isAnimated)
    }

    @Test func sniffingNamesEveryFormat() throws {
        let expected: [String: ImageFormat] = [
            "formats/coffee.png.heic": .heif, "formats/coffee.png.avif": .avif, "formats/coffee.png.jxl": .jxl,
            "still.gif": .gif, "lzw.tiff": .tiff, "rgb16.tiff": .tiff, "bmp8.bmp": .bmp,
        ]
        for (file, format) in expected {
            #expect(ImageFormat.sniff(try bytes(of: TestPaths.fixture(file))) == .supported(format), "\(file)")
        }
        #expect(ImageFormat.sniff(Array("GIF88a".utf8)) == .unknown)
    }

    /// The header says what the decoder will produce, before a pixel is decoded.
    @Test(arguments: ["formats/coffee.png.heic", "formats/coffee.png.avif", "formats/coffee.png.jxl", "still.gif",
                      "tiled.tiff", "rle8.bmp", "topdown.bmp"])
    func headersDeclareTheDecodedSize(file: String) throws {
        let data = try bytes(of: TestPaths.fixture(file))
        let header = try ImageHeader.read(data)
        let decoded = try ImageDecoder().decode(data)
        #expect(header == decoded.header)
        #expect((header.displayWidth, header.displayHeight) == (decoded.image.width, decoded.image.height))
        #expect(ImageDecoder.peakBytes(for: header, minimumShorterSide: nil) >= decoded.image.pixels.count)
    }
}
