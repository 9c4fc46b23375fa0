import Foundation
@_exported import MalformedImages

/// The malformed-header cases the tests drive through every upload path.
extension MalformedImages {
    /// Every case from a small seed of each format and coding: baseline and progressive JPEG,
    /// an 8 × 8 PNG built here, lossy and lossless WebP, and a 64-pixel HEIC, AVIF, JPEG XL, GIF,
    /// TIFF and BMP (made by `make fixtures`). About 1,500 files, a few MB in all.
    public static var all: [Case] {
        get throws {
            let files = try ["tiny-64.jpg", "progressive.jpg", "lossy.webp", "lossless.webp"].map { try Fixture.named($0).url }
            let formats = ["tiny-64.heic", "tiny-64.avif", "tiny-64.jxl", "tiny-64.gif", "tiny-64.tiff", "tiny-64.bmp"].map(TestPaths.fixture)
            return try cases(seedFiles: files + formats) + cases(from: tinyPNG(width: 8, height: 8), label: "8x8.png")
        }
    }
}
