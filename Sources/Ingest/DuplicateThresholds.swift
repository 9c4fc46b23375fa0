/// Where "near duplicate" and "similar" begin, chosen by measurement on the quality set in
/// `bench/dupes` (349 images, 60,726 pairs; `bench/dupes/run.sh` prints the sweeps).
///
/// Near: 8 bits is the largest distance at which no pair of different photos matched
/// (precision 1.000, recall 0.992); at 10 the first strangers appear (precision 0.994).
/// Similar: cosine 0.6 kept precision at 1.000 against "same photo" truth with recall 0.970;
/// at 0.55 the first unrelated pair matches (precision 0.9996).
public struct DuplicateThresholds: Sendable, Equatable {
    /// The largest perceptual-hash Hamming distance (of 64 bits) still called a near duplicate.
    public var nearDistance: Int
    /// The smallest embedding cosine similarity still called similar.
    public var similarScore: Float

    public init(nearDistance: Int = 8, similarScore: Float = 0.6) {
        self.nearDistance = nearDistance
        self.similarScore = similarScore
    }

    public static let `default` = DuplicateThresholds()
}
