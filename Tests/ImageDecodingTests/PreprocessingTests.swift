import Testing
@testable import ImageDecoding

@Suite struct PreprocessingTests {
    let lite0 = Preprocessing(inputSize: 224, shorterSide: 256, mean: [127, 127, 127], std: [128, 128, 128])

    @Test func resizesTheShorterSideAndTruncatesTheLonger() {
        #expect(lite0.resizedSize(width: 640, height: 427) == (383, 256))
        #expect(lite0.resizedSize(width: 300, height: 451) == (256, 384))
        #expect(lite0.resizedSize(width: 256, height: 256) == (256, 256))
        #expect(lite0.cropOrigin(resizedWidth: 383, resizedHeight: 256) == (80, 16))
        // Halves round to even, as Python's round() does.
        #expect(lite0.cropOrigin(resizedWidth: 289, resizedHeight: 256) == (32, 16))
    }

    @Test func uniformImageNormalisesEverywhere() {
        let image = RGBImage(width: 300, height: 200, pixels: [UInt8](repeating: 0, count: 300 * 200 * 3).enumerated().map {
            [UInt8(255), 127, 0][$0.offset % 3]
        })
        let tensor = lite0.tensor(for: image)
        let plane = 224 * 224
        #expect(tensor.count == 3 * plane)
        #expect(tensor[0..<plane].allSatisfy { abs($0 - 1.0) < 1e-6 })
        #expect(tensor[plane..<2 * plane].allSatisfy { abs($0) < 1e-6 })
        #expect(tensor[2 * plane..<3 * plane].allSatisfy { abs($0 + 127.0 / 128.0) < 1e-6 })
    }

    @Test func bgrOrderSwapsThePlanes() {
        var bgr = lite0
        bgr.channelOrder = .bgr
        let image = RGBImage(width: 64, height: 64, pixels: (0..<(64 * 64 * 3)).map { [UInt8(200), 100, 10][$0 % 3] })
        let rgbTensor = lite0.tensor(for: image), bgrTensor = bgr.tensor(for: image)
        let plane = 224 * 224
        #expect(Array(rgbTensor[0..<plane]) == Array(bgrTensor[2 * plane..<3 * plane]))
        #expect(Array(rgbTensor[2 * plane..<3 * plane]) == Array(bgrTensor[0..<plane]))
    }

    @Test func downscalingAveragesInsteadOfAliasing() {
        // A one-pixel checkerboard must average to mid-grey, not alias into stripes.
        let size = 1024
        let image = RGBImage(width: size, height: size, pixels: (0..<(size * size * 3)).map { i in
            let pixel = i / 3
            return (pixel % size + pixel / size) % 2 == 0 ? 255 : 0
        })
        let tensor = lite0.tensor(for: image)
        let values = tensor.map { $0 * 128 + 127 }
        #expect(values.allSatisfy { abs($0 - 127.5) <= 2 }, "range \(values.min()!)...\(values.max()!)")
    }

    @Test func fingerprintChangesWithEveryChoice() {
        var other = lite0
        other.filter = .bilinear
        #expect(other.fingerprint != lite0.fingerprint)
        other = lite0
        other.shorterSide = 257
        #expect(other.fingerprint != lite0.fingerprint)
    }
}
