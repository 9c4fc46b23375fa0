/// The image formats Lenscale decodes.
///
/// The raw values are stored in the catalog and in object metadata: never rename one.
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
    case jpeg
    case png
    case webp
    /// HEIC and other HEIF images (the iPhone's format since 2017), through libheif.
    case heif
    /// AV1 images in a HEIF container, through libheif.
    case avif
    case jxl
    case gif
    case tiff
    case bmp

    /// The name users know the format by.
    public var displayName: String {
        switch self {
        case .jpeg: return "JPEG"
        case .png: return "PNG"
        case .webp: return "WebP"
        case .heif: return "HEIF"
        case .avif: return "AVIF"
        case .jxl: return "JPEG XL"
        case .gif: return "GIF"
        case .tiff: return "TIFF"
        case .bmp: return "BMP"
        }
    }

    /// The MIME type, for HTTP answers and object metadata.
    public var mimeType: String {
        switch self {
        case .jpeg: return "image/jpeg"
        case .png: return "image/png"
        case .webp: return "image/webp"
        case .heif: return "image/heic"
        case .avif: return "image/avif"
        case .jxl: return "image/jxl"
        case .gif: return "image/gif"
        case .tiff: return "image/tiff"
        case .bmp: return "image/bmp"
        }
    }

    /// The media types an upload may declare for this format (browsers and tools disagree on
    /// some: `image/heif` and `image/heic`, `image/x-ms-bmp` and `image/bmp`).
    public var acceptedMediaTypes: [String] {
        switch self {
        case .jpeg: return ["image/jpeg", "image/jpg", "image/pjpeg"]
        case .png: return ["image/png"]
        case .webp: return ["image/webp"]
        case .heif: return ["image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence"]
        case .avif: return ["image/avif"]
        case .jxl: return ["image/jxl"]
        case .gif: return ["image/gif"]
        case .tiff: return ["image/tiff"]
        case .bmp: return ["image/bmp", "image/x-bmp", "image/x-ms-bmp"]
        }
    }

    /// File name extensions that folder walks pick up; the bytes still decide the format.
    public var fileExtensions: [String] {
        switch self {
        case .jpeg: return ["jpg", "jpeg", "jpe", "jfif"]
        case .png: return ["png"]
        case .webp: return ["webp"]
        case .heif: return ["heic", "heif", "hif"]
        case .avif: return ["avif"]
        case .jxl: return ["jxl"]
        case .gif: return ["gif"]
        case .tiff: return ["tif", "tiff"]
        case .bmp: return ["bmp", "dib"]
        }
    }

    /// The media type of bytes that sniff as a decoded format; nil for anything else.
    public static func mediaType<Bytes: Collection<UInt8>>(sniffing bytes: Bytes) -> String? {
        if case .supported(let format) = sniff(bytes) { return format.mimeType }
        return nil
    }

    /// Every extension of every format, lower case: what `ingest DIR` and `batch DIR` look for.
    public static let fileExtensions: Set<String> = Set(allCases.flatMap(\.fileExtensions))

    /// Every media type an upload may declare, for content negotiation and error messages.
    public static let acceptedMediaTypes: [String] = allCases.flatMap(\.acceptedMediaTypes)

    /// The format names, for messages that list what is accepted ("JPEG, PNG, WebP, ...").
    public static let displayList: String = allCases.map(\.displayName).joined(separator: ", ")
}

extension ImageFormat {
    /// What the first bytes say a file is.
    public enum Sniffed: Sendable, Equatable {
        case supported(ImageFormat)
        case unsupported(String)
        case unknown
    }

    /// Identifies a format from its magic bytes alone, never from a file name: uploads lie about
    /// their names, and a text file called `.jpg` must be reported as "not an image".
    public static func sniff<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Sniffed {
        let head = Array(bytes.prefix(64))
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + magic.count && Array(head[offset..<offset + magic.count]) == magic
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .supported(.jpeg) }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .supported(.png) }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .supported(.webp) }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .supported(.gif) }
        if starts([0x42, 0x4D]) && head.count >= 14 { return .supported(.bmp) }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A])
            || starts([0x49, 0x49, 0x2B, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2B]) {
            return .supported(.tiff)
        }
        if starts(Array("ftyp".utf8), at: 4), let format = isoFormat(head) { return format }
        if starts([0xFF, 0x0A]) || starts([0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20, 0x0D, 0x0A, 0x87, 0x0A]) {
            return .supported(.jxl)
        }
        if starts([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) { return .unsupported("JPEG 2000") }
        if starts([0x00, 0x00, 0x01, 0x00]) { return .unsupported("ICO") }
        if starts(Array("8BPS".utf8)) { return .unsupported("PSD") }
        return .unknown
    }

    /// An ISO base media file: the `ftyp` box's major and compatible brands say whether it holds
    /// a still image we decode (HEIC, AVIF) or something else in the same container (a video).
    private static func isoFormat(_ head: [UInt8]) -> Sniffed? {
        guard head.count >= 12 else { return nil }
        let declared = Int(head[0]) << 24 | Int(head[1]) << 16 | Int(head[2]) << 8 | Int(head[3])
        let end = min(max(declared, 16), head.count)
        var brands = [String(decoding: head[8..<12], as: UTF8.self)]
        var index = 16
        while index + 4 <= end {
            brands.append(String(decoding: head[index..<index + 4], as: UTF8.self))
            index += 4
        }
        if brands[0] == "avif" || brands[0] == "avis" { return .supported(.avif) }
        let heif: Set = ["heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs"]
        if heif.contains(brands[0]) { return .supported(.heif) }
        if brands[0] == "mif1" || brands[0] == "msf1" {
            if brands.contains("avif") || brands.contains("avis") { return .supported(.avif) }
            return .supported(.heif)
        }
        if brands.contains(where: heif.contains) { return .supported(.heif) }
        if brands.contains("avif") { return .supported(.avif) }
        return nil
    }
}
