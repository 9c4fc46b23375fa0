import Foundation
import Testing
import TestSupport
@testable import ImageDecoding

/// Mean absolute difference per channel value between two same-sized images.
func meanDifference(_ a: RGBImage, _ b: RGBImage) -> Double {
    precondition(a.width == b.width && a.height == b.height)
    var total = 0
    for i in 0..<a.pixels.count { total += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
    return Double(total) / Double(a.pixels.count)
}

@Suite struct ImageDecoderTests {
    let decoder = ImageDecoder()

    func decode(_ url: URL, minimumShorterSide: Int? = nil) throws -> RGBImage {
        try decoder.decode(try bytes(of: url), minimumShorterSide: minimumShorterSide).image
    }

    @Test(arguments: try Fixture.all)
    func decodesEveryValidOddity(_ fixture: Fixture) throws {
        let image = try decode(fixture.url)
        let header = try ImageHeader.read(try bytes(of: fixture.url))
        #expect(image.width == header.displayWidth && image.height == header.displayHeight)
        // Not a blank or constant image: real photo content survived the decode. Reduced depths
        // have fewer levels to show: 1-bit two, 4-bit a 16-colour palette, 5-bit channels 32.
        let levels = ["bmp1.bmp": 2, "bmp4.bmp": 20, "bmp16.bmp": 20][fixture.file] ?? 50
        let distinct = Set(image.pixels.prefix(30_000)).count
        #expect(distinct >= levels, "\(fixture.file) decoded to only \(distinct) distinct values")
    }

    /// Variants whose pixels must stay close to the photo they were made from: this catches
    /// inverted CMYK, swapped channels, wrong EXIF turns and bad 16-bit scaling.
    @Test(arguments: ["cmyk.jpg", "exif-rotated.jpg", "exif-rotated.png", "rgba.png", "lossless.webp", "progressive.jpg", "rgb16.png", "palette.png"])
    func variantMatchesItsSource(_ file: String) throws {
        let fixture = try Fixture.named(file)
        let source = try decode(TestPaths.sharedImage(fixture.source))
        let variant = try decode(fixture.url)
        #expect(variant.width == source.width && variant.height == source.height)
        let difference = meanDifference(source, variant)
        #expect(difference < 6, "\(file) differs from \(fixture.source) by \(difference) per value")
    }

    @Test func losslessWebPIsExact() throws {
        let source = try decode(TestPaths.sharedImage("chelsea.png"))
        let webp = try decode(TestPaths.fixture("lossless.webp"))
        #expect(webp.pixels == source.pixels)
    }

    @Test func dctScalingKeepsTheShorterSideAboveTheMinimum() throws {
        let url = TestPaths.fixture("large-4000.jpg")
        let full = try decode(url)
        #expect(full.width == 4000 && full.height == 3000)
        let scaled = try decode(url, minimumShorterSide: 256)
        #expect(scaled.width == 500 && scaled.height == 375)
        let half = try decode(url, minimumShorterSide: 1600)
        #expect(half.width == 4000 && half.height == 3000)
        let quarter = try decode(url, minimumShorterSide: 750)
        #expect(quarter.width == 1000 && quarter.height == 750)
        let tiny = try decode(TestPaths.fixture("tiny-64.jpg"), minimumShorterSide: 256)
        #expect(tiny.width == 64, "images already smaller than the minimum are decoded at full size")
    }

    @Test func badInputsGiveTypedErrors() throws {
        let photo = try bytes(of: TestPaths.sharedImage("china.jpg"))
        let cases: [(String, [UInt8], DecodeError)] = [
            ("empty", [], .empty),
            ("truncated header", Array(photo.prefix(12)), .truncated(format: .jpeg)),
            ("truncated scan", Array(photo.prefix(photo.count / 2)), .truncated(format: .jpeg)),
            ("random bytes", BadInputs.randomBytes(count: 4096), .notAnImage),
            ("text named .jpg", BadInputs.text, .notAnImage),
            ("GIF without a frame", BadInputs.gif, .corrupt(format: .gif, detail: "the file has no image in it")),
            ("JPEG 2000", BadInputs.jpeg2000, .unsupportedFormat("JPEG 2000")),
            ("PNG bomb", BadInputs.pngHeader(width: 100_000, height: 100_000), .tooManyPixels(width: 100_000, height: 100_000, limit: 100_000_000)),
            ("JPEG bomb", BadInputs.jpegHeader(width: 65_000, height: 65_000), .tooManyPixels(width: 65_000, height: 65_000, limit: 100_000_000)),
        ]
        for (name, input, expected) in cases {
            #expect(throws: expected, "\(name)") { try decoder.decode(input) }
        }
    }

    /// The 33-byte PNG that killed the server: IHDR declares 4294967295 × 4294967295, whose
    /// product overflows, and the error's own message multiplied them again.
    @Test func headerDimensionsWhoseProductOverflowsAreAnErrorWithAMessage() throws {
        let bomb = BadInputs.pngHeader(width: .max, height: .max)
        let error = try #require(throws: DecodeError.self) { try decoder.decode(bomb) }
        #expect(error == .tooManyPixels(width: Int(UInt32.max), height: Int(UInt32.max), limit: 100_000_000))
        #expect(error.description.contains("4294967295×4294967295 = more than \(Int.max) pixels"), "\(error)")
        let huge = DecodeError.tooManyPixels(width: .max, height: .max, limit: 1)
        #expect(huge.description.contains("more than"))
    }

    @Test func truncatedPNGAndWebPAreReported() throws {
        let png = try bytes(of: TestPaths.sharedImage("coffee.png"))
        #expect(throws: DecodeError.self) { try decoder.decode(Array(png.prefix(png.count / 2))) }
        let webp = try bytes(of: TestPaths.fixture("lossy.webp"))
        #expect(throws: DecodeError.truncated(format: .webp)) { try decoder.decode(Array(webp.prefix(webp.count / 2))) }
        let header = BadInputs.pngHeader(width: 64, height: 64)
        #expect(throws: DecodeError.self) { try decoder.decode(header) }
    }

    /// Cutting any fixture at any of many points must give an image or a DecodeError, never a crash.
    @Test(arguments: ["progressive.jpg", "cmyk.jpg", "palette.png", "rgb16.png", "lossless.webp", "lossy.webp", "exif-rotated.jpg"])
    func truncationAnywhereNeverCrashes(_ file: String) throws {
        let data = try bytes(of: TestPaths.fixture(file))
        var failures = 0
        for cut in stride(from: 1, to: data.count, by: max(1, data.count / 40)) {
            do { _ = try decoder.decode(Array(data.prefix(cut))) } catch { failures += 1 }
        }
        #expect(failures > 0, "some truncation of \(file) must be rejected")
    }

    @Test func corruptedBytesNeverCrash() throws {
        var data = try bytes(of: TestPaths.sharedImage("grace_hopper.jpg"))
        var state: UInt64 = 7
        for _ in 0..<200 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            data[600 + Int(state >> 40) % (data.count - 600)] = UInt8(truncatingIfNeeded: state >> 16)
        }
        // Either outcome is fine; reaching this line without a crash is the point, and any error must be typed.
        do { _ = try decoder.decode(data) } catch { #expect(!error.description.isEmpty) }
    }
}

/// The malformed-header generator straight into the decoder: each file decodes to an image
/// within the limits or fails with a `DecodeError`; a trap would end the test process.
@Suite struct MalformedHeaderDecodeTests {
    @Test("the generator's PNG seed is valid, so its mutations test the decoder rather than the seed")
    func seedIsValid() throws {
        let decoded = try ImageDecoder().decode(MalformedImages.tinyPNG(width: 8, height: 8))
        #expect(decoded.image.width == 8 && decoded.image.height == 8)
        #expect(Array(decoded.image.pixels.prefix(6)) == [0, 0, 128, 32, 0, 128])
    }

    @Test("every malformed file decodes within the limits or fails with a typed error")
    func everyCase() throws {
        let cases = try MalformedImages.all
        try #require(cases.count >= 400, "the generator made only \(cases.count) cases")
        let limits = DecodeLimits(maxBytes: 50_000_000, maxPixels: 40_000_000)
        let decoder = ImageDecoder(limits: limits)
        var decoded = 0
        for item in cases {
            do {
                let header = try ImageHeader.read(item.bytes, limits: limits)
                #expect(header.width > 0 && header.height > 0 && header.width * header.height <= limits.maxPixels, "\(item)")
                let result = try decoder.decode(item.bytes)
                #expect(result.image.width * result.image.height <= limits.maxPixels, "\(item)")
                #expect(result.image.pixels.count == result.image.width * result.image.height * 3, "\(item)")
                decoded += 1
            } catch {
                // Typed throws: anything caught here is a DecodeError with a message.
                #expect(!error.description.isEmpty, "\(item)")
            }
        }
        #expect(decoded < cases.count / 2, "most malformed files must be refused; \(decoded) of \(cases.count) decoded")
    }
}

@Suite struct LyingChunkTests {
    /// Found by bench/fuzz: a 240 KB PNG whose iTXt chunk claimed 2 GB made libpng allocate it.
    @Test("a PNG chunk that claims more bytes than the file holds is refused from the header, before libpng sees it")
    func lyingTextChunk() throws {
        let cases = MalformedImages.cases(from: MalformedImages.tinyPNG(width: 8, height: 8), label: "8x8.png")
            .filter { $0.name.contains("iTXt declaring 2 GB") }
        try #require(cases.count == 2)
        for item in cases {
            #expect(throws: DecodeError.truncated(format: .png), "\(item)") { try ImageHeader.read(item.bytes) }
        }
        // The same file with an honest text chunk decodes.
        let png = MalformedImages.tinyPNG(width: 8, height: 8)
        let honest = Array(png[0..<33]) + MalformedImages.bigEndian(5) + Array("tEXtabcde".utf8)
            + MalformedImages.bigEndian(MalformedImages.crc32(Array("tEXtabcde".utf8))) + Array(png[33...])
        #expect(try ImageDecoder().decode(honest).image.width == 8)
    }
}
