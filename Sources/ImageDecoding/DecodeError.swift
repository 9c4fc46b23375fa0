/// Why an image could not be decoded.
///
/// Each case names the cause in the user's terms, because these messages end up on a CLI's stderr
/// or in an HTTP error body, read by someone who has only the file in hand.
public enum DecodeError: Error, Sendable, Equatable {
    /// The input has no bytes at all.
    case empty
    /// The bytes end before the image does (a cut-off upload or a partial copy).
    case truncated(format: ImageFormat)
    /// The bytes are not any image format we know (text, random data, a PDF...).
    case notAnImage
    /// A real image format, or a variant of one, that Lenscale does not decode (JPEG 2000, PSD...).
    case unsupportedFormat(String)
    /// The header declares more pixels than the configured limit: a decompression bomb, or an
    /// image far larger than any model input needs.
    case tooManyPixels(width: Int, height: Int, limit: Int)
    /// The input is larger than the configured byte limit.
    case tooManyBytes(count: Int, limit: Int)
    /// The format was recognised but the data inside is damaged; `detail` is the codec's own words.
    case corrupt(format: ImageFormat, detail: String)
}

extension DecodeError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .empty:
            return "the file is empty"
        case .truncated(let format):
            return "the \(format.displayName) data is truncated: the file ends before the image does"
        case .notAnImage:
            return "not an image: the bytes match no known image format (\(ImageFormat.displayList) expected)"
        case .unsupportedFormat(let name):
            return "unsupported image format \(name): convert it to one of \(ImageFormat.displayList)"
        case .tooManyPixels(let width, let height, let limit):
            // The dimensions come from a hostile header: their product may not fit in an Int.
            let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
            let total = overflow ? "more than \(Int.max)" : "\(pixels)"
            return "the image declares \(width)×\(height) = \(total) pixels, over the limit of \(limit); "
                + "raise the pixel limit only if you trust the source"
        case .tooManyBytes(let count, let limit):
            return "the file has \(count) bytes, over the limit of \(limit)"
        case .corrupt(let format, let detail):
            return "the \(format.displayName) data is corrupt: \(detail)"
        }
    }

    /// A stable machine-readable code, for JSON error bodies and metrics labels.
    public var code: String {
        switch self {
        case .empty: return "empty"
        case .truncated: return "truncated"
        case .notAnImage: return "not_an_image"
        case .unsupportedFormat: return "unsupported_format"
        case .tooManyPixels: return "too_many_pixels"
        case .tooManyBytes: return "too_many_bytes"
        case .corrupt: return "corrupt"
        }
    }
}
