import CHEIF

/// A HEIF or AVIF file opened by libheif, for the length of one header read or decode.
///
/// libheif parses the box structure without decoding a pixel, so opening one is how both the
/// header reader and the decoder find the primary image. The bytes are not copied: they must
/// outlive the file, which `withPrimaryImage` guarantees by scoping both.
final class HEIFFile {
    private let context: OpaquePointer
    let primary: OpaquePointer
    let format: ImageFormat

    private init(context: OpaquePointer, primary: OpaquePointer, format: ImageFormat) {
        self.context = context
        self.primary = primary
        self.format = format
    }

    deinit {
        heif_image_handle_release(primary)
        heif_context_free(context)
    }

    /// Opens `bytes` and runs `body` with its primary image.
    ///
    /// - Parameter maxSide: libheif's own limit on either side, checked while parsing: the
    ///   pixel limit is checked by the caller on the sizes this reports.
    static func withPrimaryImage<T>(
        _ bytes: UnsafeRawBufferPointer, format: ImageFormat, maxSide: Int,
        _ body: (HEIFFile) throws(DecodeError) -> T
    ) throws(DecodeError) -> T {
        guard let context = heif_context_alloc() else { throw .corrupt(format: format, detail: "libheif could not allocate a context") }
        heif_context_set_maximum_image_size_limit(context, Int32(clamping: maxSide))
        var error = heif_context_read_from_memory_without_copy(context, bytes.baseAddress, bytes.count, nil)
        // An error's message lives in the context: read it before freeing the context.
        guard error.code == heif_error_Ok else {
            let thrown = Self.decodeError(error, format: format)
            heif_context_free(context)
            throw thrown
        }
        var handle: OpaquePointer?
        error = heif_context_get_primary_image_handle(context, &handle)
        guard error.code == heif_error_Ok, let handle else {
            let thrown = Self.decodeError(error, format: format)
            heif_context_free(context)
            throw thrown
        }
        let file = HEIFFile(context: context, primary: handle, format: format)
        return try withExtendedLifetime(file) { () throws(DecodeError) -> T in try body(file) }
    }

    /// The primary image's size as shown, after libheif's rotation and mirror transforms.
    var displaySize: (width: Int, height: Int) {
        (Int(heif_image_handle_get_width(primary)), Int(heif_image_handle_get_height(primary)))
    }

    /// Image sequences (HEIC bursts and Live Photos, animated AVIF) carry a track beside the
    /// primary still image; more than one top-level image is a collection (bursts).
    var isAnimated: Bool {
        heif_context_get_number_of_top_level_images(context) > 1
    }

    /// The embedded ICC profile, when the file carries one (nclx colour descriptions are not
    /// profiles: libheif's YCbCr→RGB conversion already honours their matrix).
    var iccProfile: [UInt8]? {
        let type = heif_image_handle_get_color_profile_type(primary)
        guard type == heif_color_profile_type_prof || type == heif_color_profile_type_rICC else { return nil }
        let size = heif_image_handle_get_raw_color_profile_size(primary)
        guard size > 0, size < 4 << 20 else { return nil }
        var profile = [UInt8](repeating: 0, count: size)
        let error = profile.withUnsafeMutableBytes { heif_image_handle_get_raw_color_profile(primary, $0.baseAddress) }
        return error.code == heif_error_Ok ? profile : nil
    }

    static func decodeError(_ error: heif_error, format: ImageFormat) -> DecodeError {
        let message = error.message.map { String(cString: $0) } ?? "libheif gave no reason"
        if error.subcode == heif_suberror_End_of_data { return .truncated(format: format) }
        switch error.code {
        case heif_error_Unsupported_filetype, heif_error_Unsupported_feature:
            return .unsupportedFormat("\(format.displayName) variant: \(message)")
        default:
            return .corrupt(format: format, detail: message)
        }
    }
}
