/// What an image's header declares, read without decoding a single pixel.
public struct ImageHeader: Sendable, Equatable {
    public var format: ImageFormat
    /// The stored width, before EXIF orientation is applied.
    public var width: Int
    /// The stored height, before EXIF orientation is applied.
    public var height: Int
    /// The EXIF orientation; `.up` when the file has none.
    public var orientation: Orientation
    /// JPEG only: the file holds CMYK or YCCK samples rather than RGB or YCbCr.
    var isCMYK: Bool = false
    /// JPEG only: an Adobe APP14 marker is present, which means CMYK samples are stored inverted.
    var hasAdobeMarker: Bool = false
    /// PNG only: 16 bits per sample, which the decoder reads at 16 bits before keeping 8.
    var isSixteenBit: Bool = false
    /// More than one frame (GIF, animated WebP and JPEG XL, HEIF sequences): only the first is
    /// decoded, and the catalog says so.
    public var isAnimated: Bool = false

    /// The width users see, with the EXIF rotation applied.
    public var displayWidth: Int { orientation.swapsAxes ? height : width }
    /// The height users see, with the EXIF rotation applied.
    public var displayHeight: Int { orientation.swapsAxes ? width : height }

    public init(format: ImageFormat, width: Int, height: Int, orientation: Orientation = .up) {
        self.format = format
        self.width = width
        self.height = height
        self.orientation = orientation
    }

    /// Reads the header of any format in `ImageFormat` and checks it against `limits`.
    ///
    /// Everything a caller needs to reject a file (wrong type, bomb, truncation of the header)
    /// is decided here, so a rejected file costs microseconds and no pixel memory.
    public static func read(_ bytes: UnsafeRawBufferPointer, limits: DecodeLimits = .default) throws(DecodeError) -> ImageHeader {
        try limits.check(byteCount: bytes.count)
        let header: ImageHeader
        switch ImageFormat.sniff(bytes) {
        case .unknown:
            throw .notAnImage
        case .unsupported(let name):
            throw .unsupportedFormat(name)
        case .supported(.jpeg):
            header = try readJPEG(ByteReader(bytes))
        case .supported(.png):
            header = try readPNG(ByteReader(bytes))
        case .supported(.webp):
            header = try readWebP(ByteReader(bytes))
        case .supported(.heif):
            header = try readHEIF(bytes, format: .heif, limits: limits)
        case .supported(.avif):
            header = try readHEIF(bytes, format: .avif, limits: limits)
        case .supported(.jxl):
            header = try readJXL(bytes)
        case .supported(.gif):
            header = try readGIF(ByteReader(bytes))
        case .supported(.tiff):
            header = try readTIFF(ByteReader(bytes))
        case .supported(.bmp):
            header = try readBMP(ByteReader(bytes))
        }
        guard header.width > 0, header.height > 0 else {
            throw .corrupt(format: header.format, detail: "the header declares a \(header.width)×\(header.height) image")
        }
        try limits.check(width: header.width, height: header.height)
        return header
    }

    /// Convenience over `read(_:limits:)` for byte arrays.
    public static func read(_ bytes: [UInt8], limits: DecodeLimits = .default) throws(DecodeError) -> ImageHeader {
        do {
            return try bytes.withUnsafeBytes { raw in try read(raw, limits: limits) }
        } catch let error as DecodeError {
            throw error
        } catch {
            preconditionFailure("unreachable: \(error)")
        }
    }
}
