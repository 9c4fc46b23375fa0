extension ImageHeader {
    /// Reads a HEIF or AVIF file's primary image size through libheif, which parses the boxes
    /// (and checks its own limits) without decoding the image.
    ///
    /// The size is the one shown: libheif applies the `irot` and `imir` transforms itself when
    /// it decodes, and the HEIF specification says an EXIF orientation beside them is not to be
    /// applied again, so the orientation is always `.up`.
    static func readHEIF(_ bytes: UnsafeRawBufferPointer, format: ImageFormat, limits: DecodeLimits) throws(DecodeError) -> ImageHeader {
        return try HEIFFile.withPrimaryImage(bytes, format: format, maxSide: limits.maxPixels) { file throws(DecodeError) in
            let (width, height) = file.displaySize
            var header = ImageHeader(format: format, width: width, height: height)
            header.isAnimated = file.isAnimated
            return header
        }
    }
}
