/// One input of a batch run: a file or an object, as the source listed it.
public struct BatchItem: Sendable, Hashable {
    public enum Location: Sendable, Hashable {
        case file(path: String)
        case object(key: String)
    }

    /// What the records call it: the path or key as the source gave it. Unique within a run; the
    /// checkpoint remembers finished items by it.
    public var name: String
    public var location: Location
    /// The size from a listing, checked against the byte limit before anything is downloaded.
    public var size: Int?
    /// The SHA-256 the name itself states (a content-addressed key such as Lenscale's own store
    /// writes), so a shard can tell whether the item is its own without reading it.
    public var statedSHA256: String?

    public init(name: String, location: Location, size: Int? = nil) {
        self.name = name
        self.location = location
        self.size = size
        let last = name.split(separator: "/").last.map(String.init) ?? name
        let stem = last.split(separator: ".").first.map(String.init) ?? last
        statedSHA256 = Self.isSHA256(stem) ? stem.lowercased() : nil
    }

    static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy {
            (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0)
        }
    }
}
