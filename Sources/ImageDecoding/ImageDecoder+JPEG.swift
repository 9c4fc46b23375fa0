import CTurboJPEG

extension ImageDecoder {
    /// The DCT scale denominators worth using: the notes in `shared/notes/models.md` measured
    /// 3/4 and 3/8 as slower than the next power of two, so only these are tried.
    static let jpegScaleDenominators = [8, 4, 2]

    /// The largest DCT reduction that keeps the shorter side at or above `minimumShorterSide`.
    static func jpegScaleDenominator(width: Int, height: Int, minimumShorterSide: Int?) -> Int {
        guard let minimum = minimumShorterSide, minimum > 0 else { return 1 }
        let shorter = min(width, height)
        for denominator in jpegScaleDenominators where (shorter + denominator - 1) / denominator >= minimum {
            return denominator
        }
        return 1
    }

    func decodeJPEG(_ bytes: UnsafeRawBufferPointer, header: ImageHeader, minimumShorterSide: Int?) throws(DecodeError) -> RGBImage {
        guard let handle = tjInitDecompress() else {
            throw .corrupt(format: .jpeg, detail: "TurboJPEG could not allocate a decompressor")
        }
        defer { tjDestroy(handle) }
        let source = bytes.bindMemory(to: UInt8.self)
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        if tjDecompressHeader3(handle, source.baseAddress, UInt(source.count), &width, &height, &subsampling, &colorspace) != 0 {
            throw Self.jpegError(handle)
        }
        // Allocation follows libjpeg's dimensions, not our header parser's: re-check the limits
        // against them, and refuse a disagreement (two SOF markers, or a parser bug).
        try limits.check(width: Int(width), height: Int(height))
        guard Int(width) == header.width, Int(height) == header.height else {
            throw .corrupt(format: .jpeg, detail: "libjpeg reads \(width)×\(height) where the header declares \(header.width)×\(header.height)")
        }
        let denominator = Self.jpegScaleDenominator(width: Int(width), height: Int(height), minimumShorterSide: minimumShorterSide)
        let scaledWidth = (Int(width) + denominator - 1) / denominator
        let scaledHeight = (Int(height) + denominator - 1) / denominator
        let cmyk = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let channels = cmyk ? 4 : 3
        var pixels = [UInt8](repeating: 0, count: scaledWidth * scaledHeight * channels)
        let status = pixels.withUnsafeMutableBufferPointer { out in
            tjDecompress2(handle, source.baseAddress, UInt(source.count), out.baseAddress,
                          Int32(scaledWidth), 0, Int32(scaledHeight),
                          cmyk ? Int32(TJPF_CMYK.rawValue) : Int32(TJPF_RGB.rawValue), Self.jpegFlags)
        }
        if status != 0 {
            let error = Self.jpegError(handle)
            // Warnings (for example extraneous bytes between markers) leave a complete image;
            // only a premature end or a real error rejects the file.
            if tjGetErrorCode(handle) != Int32(TJERR_WARNING.rawValue) || error == .truncated(format: .jpeg) {
                throw error
            }
        }
        if cmyk {
            pixels = Self.rgb(fromCMYK: pixels, inverted: header.hasAdobeMarker)
        }
        return RGBImage(width: scaledWidth, height: scaledHeight, pixels: pixels)
    }

    /// `TJFLAG_LIMITSCANS`: a progressive file with hundreds of scans costs minutes of CPU
    /// for a few kilobytes of upload; libjpeg-turbo refuses more than 500 scans with it.
    static let jpegFlags = Int32(TJFLAG_LIMITSCANS)

    static func jpegError(_ handle: tjhandle) -> DecodeError {
        let message = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown TurboJPEG error"
        if message.lowercased().contains("premature end") {
            return .truncated(format: .jpeg)
        }
        return .corrupt(format: .jpeg, detail: message)
    }

    /// Converts CMYK samples to RGB the way Photoshop-made files expect.
    ///
    /// Adobe's writers store CMYK inverted (255 = no ink), and flag it with an APP14 marker;
    /// reading it the other way round produces a photographic negative.
    static func rgb(fromCMYK cmyk: [UInt8], inverted: Bool) -> [UInt8] {
        let count = cmyk.count / 4
        var rgb = [UInt8](repeating: 0, count: count * 3)
        cmyk.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    var c = Int(src[i * 4]), m = Int(src[i * 4 + 1]), y = Int(src[i * 4 + 2]), k = Int(src[i * 4 + 3])
                    if !inverted { (c, m, y, k) = (255 - c, 255 - m, 255 - y, 255 - k) }
                    dst[i * 3] = UInt8((c * k + 127) / 255)
                    dst[i * 3 + 1] = UInt8((m * k + 127) / 255)
                    dst[i * 3 + 2] = UInt8((y * k + 127) / 255)
                }
            }
        }
        return rgb
    }
}
