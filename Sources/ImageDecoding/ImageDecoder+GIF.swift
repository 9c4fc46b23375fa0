import CGIF

extension ImageDecoder {
    /// Decodes a GIF's first frame through giflib onto its logical screen, filled with the
    /// background colour where the frame does not reach or is transparent.
    ///
    /// Records are read one at a time rather than with `DGifSlurp`, which would decompress every
    /// frame of an animation into memory before returning the first.
    func decodeGIF(_ bytes: UnsafeRawBufferPointer, header: ImageHeader) throws(DecodeError) -> RGBImage {
        let source = GIFSource(bytes)
        var status: Int32 = 0
        guard let gif = withExtendedLifetime(source, { DGifOpen(Unmanaged.passUnretained(source).toOpaque(), GIFSource.read, &status) }) else {
            throw Self.gifError(status)
        }
        defer { DGifCloseFile(gif, &status) }
        return try withExtendedLifetime(source) { () throws(DecodeError) -> RGBImage in
            try Self.firstFrame(gif, header: header, maxPixels: limits.maxPixels)
        }
    }

    private static func firstFrame(_ gif: UnsafeMutablePointer<GifFileType>, header: ImageHeader, maxPixels: Int) throws(DecodeError) -> RGBImage {
        let width = header.width, height = header.height
        var transparent: Int?
        var record = UNDEFINED_RECORD_TYPE
        while true {
            guard DGifGetRecordType(gif, &record) == GIF_OK else { throw gifError(gif.pointee.Error) }
            switch record {
            case EXTENSION_RECORD_TYPE:
                var code: Int32 = 0
                var block: UnsafeMutablePointer<GifByteType>?
                guard DGifGetExtension(gif, &code, &block) == GIF_OK else { throw gifError(gif.pointee.Error) }
                // Graphic control: its first byte's low bit says whether a palette index is transparent.
                if code == GRAPHICS_EXT_FUNC_CODE, let block, block[0] >= 4, block[1] & 1 != 0 { transparent = Int(block[4]) }
                while block != nil {
                    guard DGifGetExtensionNext(gif, &block) == GIF_OK else { throw gifError(gif.pointee.Error) }
                }
            case IMAGE_DESC_RECORD_TYPE:
                guard DGifGetImageDesc(gif) == GIF_OK else { throw gifError(gif.pointee.Error) }
                return try paint(gif, width: width, height: height, transparent: transparent, maxPixels: maxPixels)
            case TERMINATE_RECORD_TYPE:
                throw .corrupt(format: .gif, detail: "the file has no image in it")
            default:
                throw .corrupt(format: .gif, detail: "unknown record type")
            }
        }
    }

    /// Reads the frame described by `gif.pointee.Image` row by row (in interlaced order where
    /// flagged) and paints it on the screen.
    private static func paint(
        _ gif: UnsafeMutablePointer<GifFileType>, width: Int, height: Int, transparent: Int?, maxPixels: Int
    ) throws(DecodeError) -> RGBImage {
        let frame = gif.pointee.Image
        let (left, top) = (Int(frame.Left), Int(frame.Top))
        let (frameWidth, frameHeight) = (Int(frame.Width), Int(frame.Height))
        guard frameWidth > 0, frameHeight > 0, frameWidth * frameHeight <= maxPixels else {
            throw .corrupt(format: .gif, detail: "the first frame declares \(frameWidth)×\(frameHeight) pixels")
        }
        guard let map = frame.ColorMap ?? gif.pointee.SColorMap else {
            throw .corrupt(format: .gif, detail: "the first frame has no colour table")
        }
        let colors = UnsafeBufferPointer(start: map.pointee.Colors, count: Int(map.pointee.ColorCount))
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let background = Int(gif.pointee.SBackGroundColor)
        if background < colors.count, background != transparent {
            let color = colors[background]
            for i in 0..<(width * height) {
                pixels[i * 3] = color.Red
                pixels[i * 3 + 1] = color.Green
                pixels[i * 3 + 2] = color.Blue
            }
        }
        var line = [GifPixelType](repeating: 0, count: frameWidth)
        let rows: [Int] = frame.Interlace
            ? [(0, 8), (4, 8), (2, 4), (1, 2)].flatMap { start, step in Array(stride(from: start, to: frameHeight, by: step)) }
            : Array(0..<frameHeight)
        for row in rows {
            guard DGifGetLine(gif, &line, Int32(frameWidth)) == GIF_OK else { throw gifError(gif.pointee.Error) }
            let y = top + row
            guard y < height else { continue }
            for x in 0..<min(frameWidth, max(0, width - left)) {
                let index = Int(line[x])
                guard index != transparent, index < colors.count else { continue }
                let at = (y * width + left + x) * 3
                pixels[at] = colors[index].Red
                pixels[at + 1] = colors[index].Green
                pixels[at + 2] = colors[index].Blue
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static func gifError(_ code: Int32) -> DecodeError {
        switch code {
        case D_GIF_ERR_READ_FAILED, D_GIF_ERR_EOF_TOO_SOON: return .truncated(format: .gif)
        default:
            let message = GifErrorString(code).map { String(cString: $0) } ?? "giflib error \(code)"
            return .corrupt(format: .gif, detail: message)
        }
    }
}

/// The bytes giflib reads through its callback, since it has no read-from-memory call.
private final class GIFSource {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    static let read: InputFunc = { gif, buffer, count in
        guard let gif, let buffer, let user = gif.pointee.UserData, count > 0 else { return 0 }
        let source = Unmanaged<GIFSource>.fromOpaque(user).takeUnretainedValue()
        let n = min(Int(count), source.bytes.count - source.offset)
        guard n > 0 else { return 0 }
        UnsafeMutableRawPointer(buffer).copyMemory(from: source.bytes.baseAddress! + source.offset, byteCount: n)
        source.offset += n
        return Int32(n)
    }
}
