import Foundation
import Hashing
import ImageDecoding
import Testing
import TestSupport

/// The Swift PDQ against the `pdqhash` package (Meta's reference C++), fed identical pixels:
/// each image is decoded here, written as a PPM, and hashed by `tools/pdq_reference.py`.
@Suite struct PDQParityTests {
    /// Every shared photo, the decoder fixtures, and variants made here (half size, rotated,
    /// cropped, flipped), so the filter's window sizes and odd dimensions are all exercised.
    func images() throws -> [(name: String, image: RGBImage)] {
        var images: [(String, RGBImage)] = []
        let decoder = ImageDecoder()
        let photos = try FileManager.default.contentsOfDirectory(atPath: TestPaths.sharedImages.path)
            .filter { [".jpg", ".png", ".webp"].contains(where: $0.lowercased().hasSuffix) }.sorted()
        for file in photos {
            let image = try decoder.decode(try bytes(of: TestPaths.sharedImage(file))).image
            images.append((file, image))
            images.append((file + "@half", halved(image)))
            images.append((file + "@rot90", image.applying(.right)))
            images.append((file + "@crop", cropped(image)))
            images.append((file + "@mirror", image.applying(.upMirrored)))
        }
        for fixture in ["progressive.jpg", "lossless.webp", "lossy.webp", "rgba.png", "exif-rotated.jpg", "large-4000.jpg",
                        "cmyk.jpg", "gray.png", "grayscale.jpg", "palette.png", "rgb16.png", "tiny-64.jpg"] {
            images.append((fixture, try decoder.decode(try bytes(of: TestPaths.fixture(fixture))).image))
        }
        return images
    }

    @Test func matchesTheReferenceImplementation() async throws {
        let images = try images()
        let directory = try TestPaths.temporaryDirectory()
        var paths: [String] = []
        for (index, entry) in images.enumerated() {
            let url = directory.appendingPathComponent("\(index).ppm")
            var data = Data("P6\n\(entry.image.width) \(entry.image.height)\n255\n".utf8)
            data.append(contentsOf: entry.image.pixels)
            try data.write(to: url)
            paths.append(url.path)
        }
        let result = try await runProcess(TestPaths.python, [TestPaths.repositoryRoot.appendingPathComponent("tools/pdq_reference.py").path] + paths)
        try #require(result.status == 0, "tools/pdq_reference.py failed: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        try #require(lines.count == images.count)
        var exact = 0, worst = 0, worstQuality = 0
        for (entry, line) in zip(images, lines) {
            let fields = line.split(separator: " ")
            let reference = try #require(PDQHash(hex: fields[0]))
            let ours = PDQ.hash(entry.image)
            let distance = ours.hash.distance(to: reference)
            let qualityGap = abs(ours.quality - Int(fields[1])!)
            if distance == 0 { exact += 1 }
            worst = max(worst, distance)
            worstQuality = max(worstQuality, qualityGap)
            #expect(distance <= 2, "\(entry.name): \(distance) bits from the reference")
            #expect(qualityGap <= 1, "\(entry.name): quality \(ours.quality), reference \(fields[1])")
        }
        print("PDQ parity: \(exact)/\(images.count) exact, worst distance \(worst), worst quality gap \(worstQuality)")
        #expect(Double(exact) >= 0.95 * Double(images.count))
    }

    func halved(_ image: RGBImage) -> RGBImage {
        let (w, h) = (image.width / 2, image.height / 2)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                for c in 0..<3 {
                    var sum = 0
                    for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                        sum += Int(image.pixels[((2 * y + dy) * image.width + 2 * x + dx) * 3 + c])
                    }
                    pixels[(y * w + x) * 3 + c] = UInt8((sum + 2) / 4)
                }
            }
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    /// The middle of the image, less a ragged 13 % off the left and top, so dimensions turn odd.
    func cropped(_ image: RGBImage) -> RGBImage {
        let (x0, y0) = (image.width * 13 / 100, image.height * 13 / 100)
        let (w, h) = (image.width - x0 - 3, image.height - y0 - 1)
        var pixels: [UInt8] = []
        pixels.reserveCapacity(w * h * 3)
        for y in y0..<(y0 + h) {
            let start = ((y * image.width) + x0) * 3
            pixels.append(contentsOf: image.pixels[start..<(start + w * 3)])
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }
}
