import CJXL

extension ImageHeader {
    /// Reads a JPEG XL file's basic info (size, orientation, animation): libjxl reaches it
    /// within the first bytes of the codestream, before any pixel memory exists.
    static func readJXL(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> ImageHeader {
        let decoder = try JXLDecoder(bytes, events: [JXL_DEC_BASIC_INFO])
        while true {
            let status = try decoder.next()
            guard status == JXL_DEC_BASIC_INFO else {
                if status == JXL_DEC_SUCCESS { throw .corrupt(format: .jxl, detail: "the codestream has no header") }
                continue
            }
            let info = try decoder.basicInfo()
            var header = ImageHeader(
                format: .jxl, width: Int(info.xsize), height: Int(info.ysize),
                orientation: Orientation(rawValue: Int(info.orientation.rawValue)) ?? .up
            )
            header.isAnimated = info.have_animation != 0
            return header
        }
    }
}
