import CPNG

extension ImageDecoder {
    /// Decodes PNG through libpng's simplified API, which reports errors as return codes and a
    /// message instead of longjmp, so no C shim is needed. It handles 1 to 16 bits, palettes,
    /// grayscale and tRNS; alpha is dropped as Pillow's `convert("RGB")` does (16-bit images
    /// with alpha are the exception: libpng composites those onto black).
    func decodePNG(_ bytes: UnsafeRawBufferPointer, header: ImageHeader) throws(DecodeError) -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
            throw Self.pngError(&image)
        }
        let width = Int(image.width), height = Int(image.height)
        guard width == header.width, height == header.height else {
            throw .corrupt(format: .png, detail: "libpng read \(width)×\(height) where IHDR declares \(header.width)×\(header.height)")
        }
        // The simplified API assumes 16-bit samples are linear light and would gamma-encode them
        // on the way to 8 bits, darkening ordinary sRGB photos; reading them as 16-bit and keeping
        // the high byte matches how every viewer (and Pillow) shows them.
        let sixteenBit = image.format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0
        let channels = sixteenBit ? 3 : 4
        // libpng takes the row stride as a 32-bit count of samples; a width the pixel limit
        // allows (a 1-row image) can still exceed it.
        guard width <= Int(Int32.max) / channels else {
            throw .tooManyPixels(width: width, height: height, limit: limits.maxPixels)
        }
        image.format = sixteenBit
            ? UInt32(PNG_FORMAT_FLAG_LINEAR | PNG_FORMAT_FLAG_COLOR)
            : UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)  // RGBA; alpha is dropped below
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        if sixteenBit {
            var samples = [UInt16](repeating: 0, count: width * height * channels)
            let ok = samples.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, nil, out.baseAddress, Int32(width * channels), nil)
            }
            guard ok != 0 else { throw Self.pngError(&image) }
            for i in 0..<samples.count { rgb[i] = UInt8(samples[i] >> 8) }
            return RGBImage(width: width, height: height, pixels: rgb)
        }
        var rgba = [UInt8](repeating: 0, count: width * height * channels)
        let ok = rgba.withUnsafeMutableBytes { out in
            png_image_finish_read(&image, nil, out.baseAddress, Int32(width * channels), nil)
        }
        guard ok != 0 else { throw Self.pngError(&image) }
        rgba.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                for i in 0..<(width * height) {
                    dst[i * 3] = src[i * 4]
                    dst[i * 3 + 1] = src[i * 4 + 1]
                    dst[i * 3 + 2] = src[i * 4 + 2]
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }

    static func pngError(_ image: inout png_image) -> DecodeError {
        let message = withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let lowered = message.lowercased()
        if lowered.contains("not enough") || lowered.contains("read error") || lowered.contains("unexpected end")
            || lowered.contains("truncated") || lowered.contains("eof") {
            return .truncated(format: .png)
        }
        return .corrupt(format: .png, detail: message.isEmpty ? "libpng gave no reason" : message)
    }
}
