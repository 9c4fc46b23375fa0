/// The three duplicate tiers for one query, kept apart: the same bytes, the same picture
/// re-encoded or lightly edited, and merely similar pictures. Each image appears in one tier only.
public struct DuplicateReport: Sendable, Codable, Equatable {
    public struct Near: Sendable, Codable, Equatable {
        public var sha256: String
        public var distance: Int
    }

    public struct Similar: Sendable, Codable, Equatable {
        public var sha256: String
        public var score: Float
    }

    public var sha256: String
    public var exact: [String]
    public var near: [Near]
    public var similar: [Similar]
}
