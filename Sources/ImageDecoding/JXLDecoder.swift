import CJXL

/// One libjxl decoder over a whole file, stepping through the events a caller subscribed to.
///
/// The header read subscribes to the basic info alone, which libjxl reaches after a few dozen
/// bytes; the decode adds the colour encoding and the first full frame.
final class JXLDecoder {
    private let decoder: OpaquePointer

    init(_ bytes: UnsafeRawBufferPointer, events: [JxlDecoderStatus]) throws(DecodeError) {
        guard let decoder = JxlDecoderCreate(nil) else { throw .corrupt(format: .jxl, detail: "libjxl could not allocate a decoder") }
        self.decoder = decoder
        let mask = events.reduce(0) { $0 | Int32(bitPattern: $1.rawValue) }
        // Orientation is applied by `RGBImage.applying` like every other format's, after decoding.
        guard JxlDecoderSubscribeEvents(decoder, mask) == JXL_DEC_SUCCESS,
              JxlDecoderSetKeepOrientation(decoder, JXL_TRUE) == JXL_DEC_SUCCESS,
              JxlDecoderSetInput(decoder, bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count) == JXL_DEC_SUCCESS
        else { throw .corrupt(format: .jxl, detail: "libjxl refused its settings") }
        JxlDecoderCloseInput(decoder)
    }

    deinit { JxlDecoderDestroy(decoder) }

    /// Runs the decoder to its next subscribed event; running out of input is a truncated file
    /// because the whole file was given.
    func next() throws(DecodeError) -> JxlDecoderStatus {
        let status = JxlDecoderProcessInput(decoder)
        switch status {
        case JXL_DEC_ERROR: throw .corrupt(format: .jxl, detail: "libjxl could not decode the codestream")
        case JXL_DEC_NEED_MORE_INPUT: throw .truncated(format: .jxl)
        default: return status
        }
    }

    func basicInfo() throws(DecodeError) -> JxlBasicInfo {
        var info = JxlBasicInfo()
        guard JxlDecoderGetBasicInfo(decoder, &info) == JXL_DEC_SUCCESS else { throw .corrupt(format: .jxl, detail: "no basic info") }
        return info
    }

    /// Called at the colour-encoding event. Asks libjxl for sRGB where it can produce it (images
    /// stored in its XYB space, which is every lossy one), and otherwise returns the ICC profile
    /// of the pixels it will output, unless they are sRGB already.
    func preferSRGB(usesOriginalProfile: Bool) -> [UInt8]? {
        var srgb = JxlColorEncoding()
        srgb.color_space = JXL_COLOR_SPACE_RGB
        srgb.white_point = JXL_WHITE_POINT_D65
        srgb.primaries = JXL_PRIMARIES_SRGB
        srgb.transfer_function = JXL_TRANSFER_FUNCTION_SRGB
        srgb.rendering_intent = JXL_RENDERING_INTENT_PERCEPTUAL
        if !usesOriginalProfile, JxlDecoderSetPreferredColorProfile(decoder, &srgb) == JXL_DEC_SUCCESS { return nil }
        var encoded = JxlColorEncoding()
        if JxlDecoderGetColorAsEncodedProfile(decoder, nil, JXL_COLOR_PROFILE_TARGET_DATA, &encoded) == JXL_DEC_SUCCESS,
           encoded.color_space != JXL_COLOR_SPACE_RGB
            || (encoded.primaries == JXL_PRIMARIES_SRGB && encoded.transfer_function == JXL_TRANSFER_FUNCTION_SRGB
                && encoded.white_point == JXL_WHITE_POINT_D65) {
            return nil
        }
        var size = 0
        guard JxlDecoderGetICCProfileSize(decoder, nil, JXL_COLOR_PROFILE_TARGET_DATA, &size) == JXL_DEC_SUCCESS,
              size > 0, size < 16 << 20
        else { return nil }
        var profile = [UInt8](repeating: 0, count: size)
        let status = profile.withUnsafeMutableBufferPointer {
            JxlDecoderGetColorAsICCProfile(decoder, nil, JXL_COLOR_PROFILE_TARGET_DATA, $0.baseAddress, size)
        }
        return status == JXL_DEC_SUCCESS ? profile : nil
    }

    /// Gives libjxl the buffer for the first frame, as 8-bit RGB.
    func setOutput(_ buffer: UnsafeMutableRawBufferPointer) throws(DecodeError) {
        var format = Self.rgb8
        var needed = 0
        guard JxlDecoderImageOutBufferSize(decoder, &format, &needed) == JXL_DEC_SUCCESS, needed == buffer.count,
              JxlDecoderSetImageOutBuffer(decoder, &format, buffer.baseAddress, buffer.count) == JXL_DEC_SUCCESS
        else { throw .corrupt(format: .jxl, detail: "the frame does not match the image size") }
    }

    static let rgb8 = JxlPixelFormat(num_channels: 3, data_type: JXL_TYPE_UINT8, endianness: JXL_NATIVE_ENDIAN, align: 0)
}
