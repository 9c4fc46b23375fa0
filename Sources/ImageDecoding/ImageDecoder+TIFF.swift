import CTIFF
import Glibc

extension ImageDecoder {
    /// Decodes a TIFF's first page through libtiff's RGBA interface, which covers strips and
    /// tiles, 1 to 16 bits, palettes, YCbCr, CMYK and every compression libtiff was built with.
    ///
    /// Pixels are read in stored order (`req_orientation` is the file's own orientation, so
    /// libtiff flips nothing) and the orientation is applied afterwards like every format's.
    func decodeTIFF(_ bytes: UnsafeRawBufferPointer, header: ImageHeader) throws(DecodeError) -> RGBImage {
        let source = TIFFSource(bytes)
        return try withExtendedLifetime(source) { () throws(DecodeError) -> RGBImage in
            guard let options = TIFFOpenOptionsAlloc() else { throw .corrupt(format: .tiff, detail: "libtiff could not allocate options") }
            defer { TIFFOpenOptionsFree(options) }
            let user = Unmanaged.passUnretained(source).toOpaque()
            TIFFOpenOptionsSetErrorHandlerExtR(options, TIFFSource.onError, user)
            TIFFOpenOptionsSetWarningHandlerExtR(options, TIFFSource.onWarning, user)
            // libtiff's own ceiling on any one allocation: a strip or tile can declare gigabytes.
            TIFFOpenOptionsSetMaxSingleMemAlloc(options, tmsize_t(max(64 << 20, header.width * header.height * 4 + 1)))
            guard let tiff = TIFFClientOpenExt("upload", "rm", user, TIFFSource.read, TIFFSource.write, TIFFSource.seek,
                                               TIFFSource.close, TIFFSource.size, nil, nil, options)
            else { throw source.failure(.corrupt(format: .tiff, detail: "libtiff could not open the file")) }
            defer { TIFFClose(tiff) }
            var message = [CChar](repeating: 0, count: 1024)
            var image = TIFFRGBAImage()
            guard TIFFRGBAImageOK(tiff, &message) != 0, TIFFRGBAImageBegin(&image, tiff, 0, &message) != 0 else {
                throw source.failure(.unsupportedFormat("TIFF variant: \(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))"))
            }
            defer { TIFFRGBAImageEnd(&image) }
            let width = Int(image.width), height = Int(image.height)
            guard width == header.width, height == header.height else {
                throw .corrupt(format: .tiff, detail: "libtiff read \(width)×\(height) where the directory declares \(header.width)×\(header.height)")
            }
            image.req_orientation = image.orientation
            var raster = [UInt32](repeating: 0, count: width * height)
            guard TIFFRGBAImageGet(&image, &raster, UInt32(width), UInt32(height)) != 0 else {
                throw source.failure(.corrupt(format: .tiff, detail: "libtiff could not read the image data"))
            }
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            for i in 0..<raster.count {
                let abgr = raster[i]
                pixels[i * 3] = UInt8(truncatingIfNeeded: abgr)
                pixels[i * 3 + 1] = UInt8(truncatingIfNeeded: abgr >> 8)
                pixels[i * 3 + 2] = UInt8(truncatingIfNeeded: abgr >> 16)
            }
            var rgb = RGBImage(width: width, height: height, pixels: pixels)
            if let profile = Self.tiffProfile(tiff) { ColorProfile.convertToSRGB(&rgb, profile: profile) }
            return rgb
        }
    }

    private static func tiffProfile(_ tiff: OpaquePointer) -> [UInt8]? {
        var count: UInt32 = 0
        var data: UnsafeMutableRawPointer?
        guard withVaList([withUnsafeMutablePointer(to: &count) { $0 }, withUnsafeMutablePointer(to: &data) { $0 }], { args in
            TIFFVGetField(tiff, UInt32(TIFFTAG_ICCPROFILE), args)
        }) != 0, let data, count > 0 else { return nil }
        return Array(UnsafeRawBufferPointer(start: data, count: Int(count)))
    }
}

/// The bytes libtiff reads through its client callbacks, and the first error it reported
/// (libtiff's messages go to stderr unless a handler takes them).
private final class TIFFSource {
    let bytes: UnsafeRawBufferPointer
    var offset = 0
    var firstError: String?

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The error to throw: libtiff's own words where it gave any, since "could not read" alone
    /// does not tell a truncated file from a corrupt one.
    func failure(_ fallback: DecodeError) -> DecodeError {
        guard let firstError else { return fallback }
        let lowered = firstError.lowercased()
        if lowered.contains("read error") || lowered.contains("unexpected end") || lowered.contains("premature")
            || lowered.contains("eof") || lowered.contains("past end") {
            return .truncated(format: .tiff)
        }
        return .corrupt(format: .tiff, detail: firstError)
    }

    private static func source(_ handle: thandle_t?) -> TIFFSource {
        Unmanaged<TIFFSource>.fromOpaque(handle!).takeUnretainedValue()
    }

    static let read: TIFFReadWriteProc = { handle, buffer, count in
        let source = source(handle)
        let n = max(0, min(Int(count), source.bytes.count - source.offset))
        if n > 0, let buffer { buffer.copyMemory(from: source.bytes.baseAddress! + source.offset, byteCount: n) }
        source.offset += n
        return tmsize_t(n)
    }
    static let write: TIFFReadWriteProc = { _, _, _ in 0 }
    static let seek: TIFFSeekProc = { handle, offset, whence in
        let source = source(handle)
        let base: Int
        switch whence {
        case SEEK_CUR: base = source.offset
        case SEEK_END: base = source.bytes.count
        default: base = 0
        }
        let (target, overflow) = base.addingReportingOverflow(Int(truncatingIfNeeded: offset))
        guard !overflow, target >= 0 else { return toff_t.max }
        source.offset = target
        return toff_t(target)
    }
    static let close: TIFFCloseProc = { _ in 0 }
    static let size: TIFFSizeProc = { handle in toff_t(source(handle).bytes.count) }

    static let onError: TIFFErrorHandlerExtR = { _, user, _, format, arguments in
        guard let user, let format else { return 1 }
        let source = Unmanaged<TIFFSource>.fromOpaque(user).takeUnretainedValue()
        if source.firstError == nil {
            var buffer = [CChar](repeating: 0, count: 512)
            guard let arguments else { return 1 }
            vsnprintf(&buffer, buffer.count, format, arguments)
            source.firstError = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return 1  // handled: nothing reaches stderr
    }
    static let onWarning: TIFFErrorHandlerExtR = { _, _, _, _, _ in 1 }
}
