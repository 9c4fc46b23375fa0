extension ImageDecoder {
    /// The most memory a decode of an image with `header` holds at once, plus what perceptual
    /// hashing adds reading the result (its row sums: a float per row and output column):
    /// what a caller reserves from a `DecodeBudget` before decoding. Computed from the header alone, with overflow-safe
    /// arithmetic (the header's sizes are untrusted), and on the high side.
    ///
    /// Per output pixel: JPEG decodes at its DCT-reduced size into 3 bytes (4 for CMYK, then 3
    /// more for the conversion); PNG goes through RGBA (4 bytes) or 16-bit RGB (6) into RGB (3);
    /// WebP decodes straight to RGB (3); the others are listed below. An EXIF rotation copies the
    /// result (3). An ICC conversion works in place.
    public static func peakBytes(for header: ImageHeader, minimumShorterSide: Int?) -> Int {
        var (width, height) = (header.width, header.height)
        var perPixel: Int
        switch header.format {
        case .jpeg:
            let denominator = jpegScaleDenominator(width: width, height: height, minimumShorterSide: minimumShorterSide)
            width = (width + denominator - 1) / denominator
            height = (height + denominator - 1) / denominator
            perPixel = header.isCMYK ? 4 + 3 : 3
        case .png:
            perPixel = (header.isSixteenBit ? 6 : 4) + 3
        case .webp:
            perPixel = 3
        case .heif, .avif:
            // libheif's YCbCr planes (up to 16-bit samples for HDR, 6), its interleaved RGB (3),
            // and our copy (3).
            perPixel = 6 + 3 + 3
        case .jxl:
            // libjxl holds three float planes (12) while it renders into our buffer (3).
            perPixel = 12 + 3
        case .gif:
            perPixel = 3
        case .tiff:
            // libtiff's RGBA raster (4), then RGB (3).
            perPixel = 4 + 3
        case .bmp:
            // RLE expands to an index per pixel (1) before the palette is applied.
            perPixel = 1 + 3
        }
        if header.orientation != .up { perPixel += 3 }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        let (bytes, overflowAgain) = pixels.multipliedReportingOverflow(by: perPixel)
        // Hashing: six passes (the frame and five crops) of height × 32 floats, one at a time.
        let (rowSums, overflowRows) = max(width, height).multipliedReportingOverflow(by: 32 * 4)
        let (total, overflowTotal) = bytes.addingReportingOverflow(rowSums)
        return overflow || overflowAgain || overflowRows || overflowTotal ? Int.max : total
    }
}
