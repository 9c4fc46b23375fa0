/// Bounds checked against the header before any pixel is decoded.
///
/// A 100-byte PNG can declare 100000×100000 pixels; decoding it would allocate 30 GB. Checking
/// the declared size first is what makes decoding untrusted uploads safe.
public struct DecodeLimits: Sendable, Equatable {
    /// The largest input accepted, in bytes.
    public var maxBytes: Int
    /// The largest declared width × height accepted.
    public var maxPixels: Int

    public init(maxBytes: Int = 50_000_000, maxPixels: Int = 100_000_000) {
        self.maxBytes = maxBytes
        self.maxPixels = maxPixels
    }

    public static let `default` = DecodeLimits()

    func check(byteCount: Int) throws(DecodeError) {
        if byteCount == 0 { throw .empty }
        if byteCount > maxBytes { throw .tooManyBytes(count: byteCount, limit: maxBytes) }
    }

    func check(width: Int, height: Int) throws(DecodeError) {
        // Multiply in a way that cannot overflow for any 32-bit dimensions.
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > maxPixels {
            throw .tooManyPixels(width: width, height: height, limit: maxPixels)
        }
    }
}
