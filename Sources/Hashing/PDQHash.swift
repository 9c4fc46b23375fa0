/// A 256-bit PDQ hash, the perceptual hash trust-and-safety hash lists are shared in.
///
/// The bits are kept as the reference keeps them: sixteen 16-bit words, bit `k` (row-major over
/// the 16×16 DCT coefficients) in word `k / 16` at position `k % 16`. The hex form prints the
/// words from the last to the first, four digits each, so the 64-digit strings here are the
/// ones exchanged with other PDQ implementations.
public struct PDQHash: Sendable, Hashable, CustomStringConvertible {
    /// The 256 bits as four 64-bit lanes (lane 0 holds words 0...3), so a distance is four popcounts.
    public let lanes: (UInt64, UInt64, UInt64, UInt64)

    public init(lanes: (UInt64, UInt64, UInt64, UInt64)) {
        self.lanes = lanes
    }

    /// The hash with bit `k` set for each `bits[k]` that is true; `bits` has 256 entries.
    public init(bits: [Bool]) {
        precondition(bits.count == 256, "a PDQ hash has 256 bits")
        var words: [UInt64] = [0, 0, 0, 0]
        for k in 0..<256 where bits[k] { words[k >> 6] |= 1 << UInt64(k & 63) }
        lanes = (words[0], words[1], words[2], words[3])
    }

    /// Parses the 64-digit hex form (either case); nil for anything else.
    public init?(hex: some StringProtocol) {
        let digits = Array(hex.utf8)
        guard digits.count == 64, digits.allSatisfy({ (48...57).contains($0) || (65...70).contains($0) || (97...102).contains($0) })
        else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        // Digits 0..<16 are the highest lane, as the reference prints word 15 first.
        for lane in 0..<4 {
            guard let value = UInt64(String(decoding: digits[(48 - lane * 16)..<(64 - lane * 16)], as: UTF8.self), radix: 16)
            else { return nil }
            words[lane] = value
        }
        lanes = (words[0], words[1], words[2], words[3])
    }

    /// The number of differing bits, 0...256.
    public func distance(to other: PDQHash) -> Int {
        (lanes.0 ^ other.lanes.0).nonzeroBitCount + (lanes.1 ^ other.lanes.1).nonzeroBitCount
            + (lanes.2 ^ other.lanes.2).nonzeroBitCount + (lanes.3 ^ other.lanes.3).nonzeroBitCount
    }

    /// Whether bit `k` (0..<256) is set.
    public func bit(_ k: Int) -> Bool {
        let lane = [lanes.0, lanes.1, lanes.2, lanes.3][k >> 6]
        return lane >> UInt64(k & 63) & 1 == 1
    }

    /// 64 lowercase hex digits, word 15 first.
    public var hex: String {
        [lanes.3, lanes.2, lanes.1, lanes.0].map { lane in
            let digits = String(lane, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }

    public var description: String { hex }

    public static func == (a: PDQHash, b: PDQHash) -> Bool {
        a.lanes.0 == b.lanes.0 && a.lanes.1 == b.lanes.1 && a.lanes.2 == b.lanes.2 && a.lanes.3 == b.lanes.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(lanes.0)
        hasher.combine(lanes.1)
        hasher.combine(lanes.2)
        hasher.combine(lanes.3)
    }
}
