/// One class a model gave an image, as kept in `PredictionRecord.labels`.
///
/// The keys `index`, `name` and `score` are the JSON stored in the database, which other tools
/// (SQL consoles, exports) read directly, so renaming a property is a schema change.
public struct StoredLabel: Sendable, Codable, Equatable, Hashable {
    /// The class index in the model's output.
    public var index: Int
    public var name: String
    public var score: Float

    public init(index: Int, name: String, score: Float) {
        self.index = index
        self.name = name
        self.score = score
    }
}
