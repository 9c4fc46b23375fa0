import CLCMS2

/// Brings pixels described by an embedded ICC profile into sRGB, the space the models were
/// trained in.
///
/// Phones tag photos Display P3 (Apple since 2016, many Android phones since); decoders hand out
/// the stored numbers, and read as sRGB they are desaturated: a P3 red of (255, 0, 0) is a far
/// deeper red than sRGB's. A profile that cannot be read, is not RGB, or already describes sRGB
/// leaves the pixels as they are: colour is a refinement, never a reason to refuse an image.
enum ColorProfile {
    /// lcms2's `TYPE_RGB_8`: its bit-packed macros do not reach Swift.
    private static let rgb8: cmsUInt32Number = (4 << 16) | (3 << 3) | 1

    /// Converts `image` in place from `profile` to sRGB (perceptual intent, as viewers render).
    static func convertToSRGB(_ image: inout RGBImage, profile: [UInt8]) {
        guard isPlausible(profile),
              let source = profile.withUnsafeBytes({ cmsOpenProfileFromMem($0.baseAddress, cmsUInt32Number($0.count)) })
        else { return }
        defer { cmsCloseProfile(source) }
        guard cmsGetColorSpace(source) == cmsSigRgbData, !describesSRGB(source) else { return }
        guard let srgb = cmsCreate_sRGBProfile() else { return }
        defer { cmsCloseProfile(srgb) }
        guard let transform = cmsCreateTransform(source, rgb8, srgb, rgb8, cmsUInt32Number(INTENT_PERCEPTUAL), 0) else { return }
        defer { cmsDeleteTransform(transform) }
        let count = image.width * image.height
        image.pixels.withUnsafeMutableBytes { pixels in
            // lcms2 transforms in place when input and output formats have the same size.
            cmsDoTransform(transform, pixels.baseAddress, pixels.baseAddress, cmsUInt32Number(count))
        }
    }

    /// The ICC header and tag table checked before lcms2 sees them: the declared size within the
    /// bytes, the `acsp` signature, and every tag inside the declared size. lcms2 parses what it
    /// is given, and a profile comes from an upload; this keeps its work (and the allocations a
    /// tag's declared size asks for) bounded by what was actually sent.
    static func isPlausible(_ profile: [UInt8]) -> Bool {
        guard profile.count >= 132, profile.count <= EmbeddedProfile.maxBytes else { return false }
        func word(_ offset: Int) -> Int {
            Int(profile[offset]) << 24 | Int(profile[offset + 1]) << 16 | Int(profile[offset + 2]) << 8 | Int(profile[offset + 3])
        }
        let size = word(0)
        guard size >= 132, size <= profile.count, profile[36..<40].elementsEqual("acsp".utf8) else { return false }
        let tags = word(128)
        guard tags <= (size - 132) / 12 else { return false }
        for tag in 0..<tags {
            let entry = 132 + 12 * tag
            let (offset, length) = (word(entry + 4), word(entry + 8))
            guard offset >= 132 + 12 * tags, length <= size, offset <= size - length else { return false }
        }
        return true
    }

    /// Most tagged JPEGs carry a copy of sRGB itself; converting them would only cost time.
    private static func describesSRGB(_ profile: cmsHPROFILE) -> Bool {
        var buffer = [CChar](repeating: 0, count: 256)
        let length = cmsGetProfileInfoASCII(profile, cmsInfoDescription, "en", "US", &buffer, cmsUInt32Number(buffer.count))
        guard length > 0 else { return false }
        let description = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // "sRGB IEC61966-2.1", "sRGB built-in", "Nikon sRGB 4.0.0.3001"...
        return description.lowercased().contains("srgb")
    }
}
