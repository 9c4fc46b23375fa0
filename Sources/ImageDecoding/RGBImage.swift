/// Decoded pixels: 8-bit RGB, interleaved, rows top to bottom with no padding.
///
/// This is the one form every decoder produces and every consumer (the model preprocessing,
/// the perceptual hash) reads, so an image is decoded once whatever uses it.
public struct RGBImage: Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "RGBImage needs width × height × 3 bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
