extension ImageHeader {
    /// Walks the JPEG marker segments up to the first start-of-frame, collecting the EXIF
    /// orientation (APP1) and the Adobe marker (APP14) on the way.
    static func readJPEG(_ reader: ByteReader) throws(DecodeError) -> ImageHeader {
        var orientation = Orientation.up
        var adobe = false
        var index = 2  // after SOI
        while true {
            // Markers may be preceded by any number of 0xFF fill bytes.
            guard var marker = reader.byte(at: index) else { throw .truncated(format: .jpeg) }
            guard marker == 0xFF else {
                throw .corrupt(format: .jpeg, detail: "expected a marker at byte \(index)")
            }
            while marker == 0xFF {
                index += 1
                guard let next = reader.byte(at: index) else { throw .truncated(format: .jpeg) }
                marker = next
            }
            index += 1
            switch marker {
            case 0xD8, 0x01, 0xD0...0xD7:
                continue  // markers without a length
            case 0xD9:
                throw .corrupt(format: .jpeg, detail: "the file ends before any frame header")
            case 0xDA:
                throw .corrupt(format: .jpeg, detail: "scan data before any frame header")
            default:
                break
            }
            guard let length = reader.uint16BE(at: index) else { throw .truncated(format: .jpeg) }
            guard length >= 2 else { throw .corrupt(format: .jpeg, detail: "a marker segment declares length \(length)") }
            let body = index + 2
            let bodyLength = length - 2
            switch marker {
            case 0xC0...0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
                // SOFn: precision, height, width, component count.
                guard let height = reader.uint16BE(at: body + 1),
                      let width = reader.uint16BE(at: body + 3),
                      let components = reader.byte(at: body + 5)
                else { throw .truncated(format: .jpeg) }
                if height == 0 {
                    throw .unsupportedFormat("JPEG with a height defined later by a DNL marker")
                }
                var header = ImageHeader(format: .jpeg, width: width, height: height, orientation: orientation)
                header.isCMYK = components == 4
                header.hasAdobeMarker = adobe
                return header
            case 0xE1:
                if bodyLength > 6, reader.matches("Exif\0\0", at: body),
                   let tiff = reader.slice(body + 6, count: min(bodyLength - 6, reader.bytes.count - body - 6)) {
                    orientation = Orientation(exif: tiff) ?? orientation
                }
            case 0xEE:
                if reader.matches("Adobe", at: body) { adobe = true }
            default:
                break
            }
            index = body + bodyLength
        }
    }
}
