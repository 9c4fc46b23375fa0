import ImageDecoding

/// An image ready for the model: its content hash, its header, and its input tensor.
///
/// Preparing (read, hash, decode, resize) is the CPU-heavy half of classification and runs
/// in parallel; the prepared images are then batched for the model.
public struct PreparedImage: Sendable {
    public var sha256: String
    public var header: ImageHeader
    /// One image's NCHW slice, `3 × size × size` floats.
    public var tensor: [Float]
    /// The decoded pixels, kept only when the caller asked (for example for perceptual hashing).
    public var image: RGBImage?

    public init(sha256: String, header: ImageHeader, tensor: [Float], image: RGBImage? = nil) {
        self.sha256 = sha256
        self.header = header
        self.tensor = tensor
        self.image = image
    }
}
