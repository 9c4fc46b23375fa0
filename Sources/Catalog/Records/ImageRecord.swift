import Foundation

/// One stored image: its content identity, what was measured when it was ingested, and the id the
/// vector and hash indexes use for it.
///
/// `id` is assigned by the database, increases with insertion order and is never reused, so an
/// index built from the paged scans can refer to images by a compact integer. Ids are not dense:
/// PostgreSQL spends a sequence value on every attempted insert, including ones that find the
/// image already stored.
public struct ImageRecord: Sendable, Codable, Equatable, Hashable {
    public let id: Int64
    /// Lowercase hex SHA-256 of the file's bytes; the deduplication key.
    public let sha256: String
    /// Size of the original file in bytes.
    public let bytes: Int
    /// `jpeg`, `png` or `webp`; the database rejects anything else.
    public let format: String
    public let width: Int
    public let height: Int
    /// 64-bit perceptual hash. Stored as the signed 64-bit integer with the same bits, because
    /// neither SQLite nor PostgreSQL has an unsigned 64-bit column.
    public let phash: UInt64
    /// Perceptual hashes of crops of the image; see `NewImage.phashCrops`.
    public let phashCrops: [UInt64]
    /// When the catalog first stored the image, kept to the microsecond (see `init`).
    public let createdAt: Date
    /// The original file or upload name, for people; nothing keys on it.
    public let sourceName: String?
    /// More frames follow the one that was labelled (GIF, animated WebP and JPEG XL, HEIF sequences).
    public let animated: Bool

    /// `createdAt` is rounded to whole microseconds, the precision both databases store, so a
    /// record compares equal to itself after a round trip through either backend.
    public init(
        id: Int64, sha256: String, bytes: Int, format: String, width: Int, height: Int,
        phash: UInt64, phashCrops: [UInt64] = [], createdAt: Date, sourceName: String?, animated: Bool = false
    ) {
        self.id = id
        self.sha256 = sha256
        self.bytes = bytes
        self.format = format
        self.width = width
        self.height = height
        self.phash = phash
        self.phashCrops = phashCrops
        self.createdAt = CatalogTime.rounded(createdAt)
        self.sourceName = sourceName
        self.animated = animated
    }
}
