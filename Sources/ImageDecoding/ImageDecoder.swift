/// Decodes every `ImageFormat` into upright RGB pixels in sRGB.
///
/// An embedded ICC profile other than sRGB (Display P3 from phones, Adobe RGB from cameras) is
/// converted to sRGB through lcms2 before anything reads the pixels: the models were trained on
/// sRGB. Untagged images are taken to be sRGB, as browsers take them.
///
/// The decoder reads the header first and enforces `limits` before allocating pixel memory.
/// Callers that only need the image at model size pass `minimumShorterSide`: JPEG is then
/// decoded with DCT-domain scaling (1/2, 1/4, 1/8), which skips most of the decoding work for
/// large photos while keeping at least that many pixels on the shorter side for the resampler.
public struct ImageDecoder: Sendable {
    public var limits: DecodeLimits

    public init(limits: DecodeLimits = .default) {
        self.limits = limits
    }

    /// A decoded image with the header it came from.
    public struct Decoded: Sendable {
        /// The header as stored in the file (dimensions before orientation and scaling).
        public var header: ImageHeader
        /// Upright pixels, possibly reduced by DCT scaling.
        public var image: RGBImage
    }

    /// Decodes `bytes`, applying the EXIF orientation.
    ///
    /// - Parameter minimumShorterSide: when set, the decoder may return a reduced image whose
    ///   shorter side is still at least this many pixels.
    public func decode(_ bytes: UnsafeRawBufferPointer, minimumShorterSide: Int? = nil) throws(DecodeError) -> Decoded {
        let header = try ImageHeader.read(bytes, limits: limits)
        var stored: RGBImage
        switch header.format {
        case .jpeg: stored = try decodeJPEG(bytes, header: header, minimumShorterSide: minimumShorterSide)
        case .png: stored = try decodePNG(bytes, header: header)
        case .webp: stored = try decodeWebP(bytes, header: header)
        case .heif, .avif: stored = try decodeHEIF(bytes, header: header)
        case .jxl: stored = try decodeJXL(bytes, header: header)
        case .gif: stored = try decodeGIF(bytes, header: header)
        case .tiff: stored = try decodeTIFF(bytes, header: header)
        case .bmp: stored = try decodeBMP(bytes, header: header)
        }
        // The other formats' decoders convert their profiles themselves, from their libraries.
        if let profile = EmbeddedProfile.read(bytes, format: header.format) {
            ColorProfile.convertToSRGB(&stored, profile: profile)
        }
        return Decoded(header: header, image: stored.applying(header.orientation))
    }

    /// Convenience over `decode(_:minimumShorterSide:)` for byte arrays.
    public func decode(_ bytes: [UInt8], minimumShorterSide: Int? = nil) throws(DecodeError) -> Decoded {
        do {
            return try bytes.withUnsafeBytes { raw in try decode(raw, minimumShorterSide: minimumShorterSide) }
        } catch let error as DecodeError {
            throw error
        } catch {
            preconditionFailure("unreachable: \(error)")
        }
    }
}
