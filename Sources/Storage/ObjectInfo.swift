/// What a store knows about one object without reading it.
public struct ObjectInfo: Sendable, Hashable, CustomStringConvertible {
    /// The logical key, as passed to `put`: without any store prefix or shard folders.
    public var key: String
    /// Size in bytes.
    public var size: Int

    public init(key: String, size: Int) {
        self.key = key
        self.size = size
    }

    public var description: String { "\(key) (\(size) bytes)" }
}
