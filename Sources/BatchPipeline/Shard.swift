import Foundation

/// One machine's share of a batch run: shard `index` of `count`, both 0-based.
///
/// Machines agree on the split without talking to each other. Folders and buckets are split by
/// content hash, so every copy of the same bytes lands on the same shard (duplicates are found,
/// and counted, once); manifests are split by line, since their order is already fixed.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public static let whole = Shard(uncheckedIndex: 0, count: 1)

    init(uncheckedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public init(index: Int, count: Int) throws(BatchError) {
        guard count >= 1 else { throw .shard("the shard count must be at least 1, not \(count)") }
        guard (0..<count).contains(index) else {
            throw .shard("shard index \(index) is outside 0..\(count - 1): shards are numbered from 0 to count-1")
        }
        self.init(uncheckedIndex: index, count: count)
    }

    /// Parses `I/N`, as in `--shard 3/8`.
    public init(parsing text: String) throws(BatchError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let count = Int(parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw .shard("'\(text)' is not a shard: write I/N, for example --shard 0/4 for the first of four")
        }
        try self.init(index: index, count: count)
    }

    /// The shard a Kubernetes Indexed Job pod is: `JOB_COMPLETION_INDEX` of `count` (from the flag,
    /// else `LENSCALE_SHARD_COUNT`). Nil when the pod is not part of an Indexed Job.
    public static func fromEnvironment(count flag: Int?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(BatchError) -> Shard? {
        guard let text = environment["JOB_COMPLETION_INDEX"], !text.isEmpty else {
            if flag != nil { throw .shard("--shard-count needs JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job); outside one, use --shard I/N") }
            return nil
        }
        guard let index = Int(text) else { throw .shard("JOB_COMPLETION_INDEX='\(text)' is not a whole number") }
        let countText = flag.map(String.init) ?? environment["LENSCALE_SHARD_COUNT"]
        guard let countText, let count = Int(countText) else {
            throw .shard("JOB_COMPLETION_INDEX is set but the shard count is not: pass --shard-count N "
                + "or set LENSCALE_SHARD_COUNT to the Job's completions")
        }
        return try Shard(index: index, count: count)
    }

    /// Whether content with this SHA-256 (hex) belongs to this shard: the first 64 bits of the
    /// digest modulo the count. SHA-256 is uniform, so shards get equal shares of distinct content.
    public func owns(sha256 hex: String) -> Bool {
        guard count > 1 else { return true }
        var value: UInt64 = 0
        for byte in hex.utf8.prefix(16) {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: digit = 0
            }
            value = value << 4 | UInt64(digit)
        }
        return value % UInt64(count) == UInt64(index)
    }

    /// Whether the manifest's line at `position` (0-based, among entries) belongs to this shard.
    public func owns(position: Int) -> Bool { position % count == index }

    public var description: String { "\(index)/\(count)" }
}
