import CWebP

extension ImageDecoder {
    /// Decodes lossy and lossless WebP straight into our buffer with libwebp's advanced API,
    /// which, unlike the simple one, says why a decode failed.
    func decodeWebP(_ bytes: UnsafeRawBufferPointer, header: ImageHeader) throws(DecodeError) -> RGBImage {
        var config = WebPDecoderConfig()
        guard WebPInitDecoderConfig(&config) != 0 else {
            throw .corrupt(format: .webp, detail: "libwebp version mismatch")
        }
        let data = bytes.bindMemory(to: UInt8.self)
        let featureStatus = WebPGetFeatures(data.baseAddress, data.count, &config.input)
        if featureStatus != VP8_STATUS_OK { throw Self.webpError(featureStatus) }
        if config.input.has_animation != 0 { throw .unsupportedFormat("animated WebP") }
        let width = Int(config.input.width), height = Int(config.input.height)
        guard width == header.width, height == header.height else {
            throw .corrupt(format: .webp, detail: "libwebp read \(width)×\(height) where the header declares \(header.width)×\(header.height)")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let status = pixels.withUnsafeMutableBufferPointer { out in
            config.output.colorspace = MODE_RGB
            config.output.is_external_memory = 1
            config.output.u.RGBA.rgba = out.baseAddress
            config.output.u.RGBA.stride = Int32(width * 3)
            config.output.u.RGBA.size = out.count
            defer { WebPFreeDecBuffer(&config.output) }
            return WebPDecode(data.baseAddress, data.count, &config)
        }
        if status != VP8_STATUS_OK { throw Self.webpError(status) }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static func webpError(_ status: VP8StatusCode) -> DecodeError {
        switch status {
        case VP8_STATUS_NOT_ENOUGH_DATA: return .truncated(format: .webp)
        case VP8_STATUS_UNSUPPORTED_FEATURE: return .unsupportedFormat("WebP with a feature libwebp cannot decode")
        case VP8_STATUS_OUT_OF_MEMORY: return .corrupt(format: .webp, detail: "out of memory")
        case VP8_STATUS_INVALID_PARAM: return .corrupt(format: .webp, detail: "invalid parameter")
        default: return .corrupt(format: .webp, detail: "bitstream error (libwebp status \(status.rawValue))")
        }
    }
}
