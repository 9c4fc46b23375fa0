import CJXL

extension ImageDecoder {
    /// Decodes a JPEG XL file's first frame to 8-bit RGB in sRGB. Lossy files are converted by
    /// libjxl from its XYB space; lossless ones with a profile other than sRGB go through lcms2.
    func decodeJXL(_ bytes: UnsafeRawBufferPointer, header: ImageHeader) throws(DecodeError) -> RGBImage {
        let decoder = try JXLDecoder(bytes, events: [JXL_DEC_BASIC_INFO, JXL_DEC_COLOR_ENCODING, JXL_DEC_FULL_IMAGE])
        var pixels = [UInt8](repeating: 0, count: header.width * header.height * 3)
        // libjxl writes into the buffer during later `next()` calls, so the whole loop runs
        // inside the one scope where the array's storage is pinned.
        let profile: [UInt8]?
        do {
            profile = try pixels.withUnsafeMutableBytes { out throws(DecodeError) in
                try Self.decodeFirstFrame(decoder, header: header, into: out)
            }
        } catch let error as DecodeError {
            throw error
        } catch {
            preconditionFailure("unreachable: \(error)")
        }
        var image = RGBImage(width: header.width, height: header.height, pixels: pixels)
        if let profile { ColorProfile.convertToSRGB(&image, profile: profile) }
        return image
    }

    /// Steps the decoder to the end of the first frame; returns the ICC profile the pixels are
    /// in when libjxl could not hand them out in sRGB itself.
    private static func decodeFirstFrame(
        _ decoder: JXLDecoder, header: ImageHeader, into out: UnsafeMutableRawBufferPointer
    ) throws(DecodeError) -> [UInt8]? {
        var usesOriginalProfile = true
        var profile: [UInt8]?
        while true {
            switch try decoder.next() {
            case JXL_DEC_BASIC_INFO:
                let info = try decoder.basicInfo()
                guard Int(info.xsize) == header.width, Int(info.ysize) == header.height else {
                    throw .corrupt(format: .jxl, detail: "libjxl read \(info.xsize)×\(info.ysize) where the header declares \(header.width)×\(header.height)")
                }
                usesOriginalProfile = info.uses_original_profile != 0
            case JXL_DEC_COLOR_ENCODING:
                profile = decoder.preferSRGB(usesOriginalProfile: usesOriginalProfile)
            case JXL_DEC_NEED_IMAGE_OUT_BUFFER:
                try decoder.setOutput(out)
            case JXL_DEC_FULL_IMAGE:
                return profile  // the first frame of an animation is the image we classify
            case JXL_DEC_SUCCESS:
                throw .corrupt(format: .jxl, detail: "the codestream ended before a frame")
            default:
                continue
            }
        }
    }
}
