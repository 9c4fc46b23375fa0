/// Where "near duplicate" and "similar" begin. Chosen by measurement on the quality set in
/// `bench/dupes` (see README): the near tier must almost never call two different photos
/// duplicates, the similar tier may be looser.
public struct DuplicateThresholds: Sendable, Equatable {
    /// The largest perceptual-hash Hamming distance (of 64 bits) still called a near duplicate.
    public var nearDistance: Int
    /// The smallest embedding cosine similarity still called similar.
    public var similarScore: Float

    public init(nearDistance: Int = 10, similarScore: Float = 0.7) {
        self.nearDistance = nearDistance
        self.similarScore = similarScore
    }

    public static let `default` = DuplicateThresholds()
}
