/// An image to insert: an `ImageRecord` before the database has given it an id and a time.
public struct NewImage: Sendable, Codable, Equatable, Hashable {
    public var sha256: String
    public var bytes: Int
    public var format: String
    public var width: Int
    public var height: Int
    public var phash: UInt64
    /// Perceptual hashes of crops of the image (see Hashing.PerceptualCodes), which let the
    /// near-duplicate tier match cropped copies; empty when not computed.
    public var phashCrops: [UInt64]
    public var sourceName: String?
    /// More frames follow the one that was labelled.
    public var animated: Bool

    public init(
        sha256: String, bytes: Int, format: String, width: Int, height: Int, phash: UInt64,
        phashCrops: [UInt64] = [], sourceName: String? = nil, animated: Bool = false
    ) {
        self.sha256 = sha256
        self.bytes = bytes
        self.format = format
        self.width = width
        self.height = height
        self.phash = phash
        self.phashCrops = phashCrops
        self.sourceName = sourceName
        self.animated = animated
    }
}
