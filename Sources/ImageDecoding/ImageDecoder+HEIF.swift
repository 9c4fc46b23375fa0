import CHEIF

extension ImageDecoder {
    /// Decodes a HEIF or AVIF file's primary image to 8-bit RGB through libheif, which applies
    /// the rotation and mirror transforms, converts YCbCr with the file's own matrix, and drops
    /// alpha. 10- and 12-bit images (HDR photos) are reduced to 8 bits by libheif.
    func decodeHEIF(_ bytes: UnsafeRawBufferPointer, header: ImageHeader) throws(DecodeError) -> RGBImage {
        try HEIFFile.withPrimaryImage(bytes, format: header.format, maxSide: limits.maxPixels) { file throws(DecodeError) in
            guard let options = heif_decoding_options_alloc() else {
                throw .corrupt(format: header.format, detail: "libheif could not allocate decoding options")
            }
            defer { heif_decoding_options_free(options) }
            var decoded: OpaquePointer?
            let error = heif_decode_image(file.primary, &decoded, heif_colorspace_RGB, heif_chroma_interleaved_RGB, options)
            guard error.code == heif_error_Ok, let decoded else { throw HEIFFile.decodeError(error, format: header.format) }
            defer { heif_image_release(decoded) }
            let width = Int(heif_image_get_width(decoded, heif_channel_interleaved))
            let height = Int(heif_image_get_height(decoded, heif_channel_interleaved))
            guard width == header.width, height == header.height else {
                throw .corrupt(format: header.format, detail: "libheif decoded \(width)×\(height) where the file declares \(header.width)×\(header.height)")
            }
            var stride: Int32 = 0
            guard let plane = heif_image_get_plane_readonly(decoded, heif_channel_interleaved, &stride), Int(stride) >= width * 3 else {
                throw .corrupt(format: header.format, detail: "libheif returned no RGB plane")
            }
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            pixels.withUnsafeMutableBytes { out in
                for row in 0..<height {
                    let source = UnsafeRawPointer(plane + row * Int(stride))
                    (out.baseAddress! + row * width * 3).copyMemory(from: source, byteCount: width * 3)
                }
            }
            var image = RGBImage(width: width, height: height, pixels: pixels)
            if let profile = file.iccProfile { ColorProfile.convertToSRGB(&image, profile: profile) }
            return image
        }
    }
}
