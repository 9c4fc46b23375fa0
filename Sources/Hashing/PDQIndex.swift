/// All hashes of a bank within a Hamming distance of a query, with exactly the answers of a
/// brute-force scan, at millions of hashes.
///
/// **Design: multi-index hashing.** The 256 bits are cut into `m` chunks of about `256 / m`
/// bits. If two hashes are within `T` bits, by the pigeonhole principle at least one chunk
/// differs in at most `⌊T / m⌋` bits; so for each chunk we probe every key within that radius
/// of the query's chunk in a table keyed by the chunk, and verify each candidate with four
/// popcounts. Nothing within `T` is missed and nothing beyond it is returned. A chunk about
/// `log2(count)` bits wide leaves a bucket or so per probe, which keeps both the probes and the
/// candidates in the low thousands at 10 million hashes and `T = 31` (11 chunks, radius 2).
///
/// **Memory:** 32 bytes a hash for the hashes themselves, plus per chunk 4 bytes a hash (the
/// bucket lists) and `4 · 2^width` bytes of bucket offsets: about 1.2 GB at 10 million hashes
/// with 11 chunks of 23–24 bits.
///
/// **Updates:** an index is an immutable `Sendable` value, so lookups never wait: a bank's owner
/// builds the next index (all hashes, or a small one for recent additions that it queries as
/// well) off to the side and swaps the reference atomically; readers keep the one they hold.
public struct PDQIndex: Sendable {
    /// The indexed hashes, four lanes each, in insertion order: an answer is a position here.
    let lanes: [UInt64]
    let chunks: [Chunk]
    public let count: Int

    struct Chunk: Sendable {
        let start: Int
        let width: Int
        /// `offsets[key] ..< offsets[key + 1]` are the positions in `members` whose chunk is `key`.
        let offsets: [UInt32]
        let members: [UInt32]
    }

    /// Indexes `hashes`; `chunkCount` (10...64) defaults to about `256 / log2(count)`.
    public init(_ hashes: [PDQHash], chunkCount: Int? = nil) {
        precondition(hashes.count < Int(UInt32.max), "a PDQIndex holds fewer than 2³² hashes")
        count = hashes.count
        var lanes = [UInt64]()
        lanes.reserveCapacity(4 * hashes.count)
        for hash in hashes { lanes += [hash.lanes.0, hash.lanes.1, hash.lanes.2, hash.lanes.3] }
        self.lanes = lanes
        let bitsForCount = max(8, Int.bitWidth - max(1, hashes.count).leadingZeroBitCount)
        let m = chunkCount ?? min(32, max(11, 256 / bitsForCount))
        precondition((10...64).contains(m), "a PDQIndex needs 10...64 chunks (chunks over 26 bits would need a 2^26-entry table each)")
        var chunks: [Chunk] = []
        var start = 0
        for c in 0..<m {
            let width = (256 - start) / (m - c)
            chunks.append(Self.buildChunk(lanes: lanes, count: hashes.count, start: start, width: width))
            start += width
        }
        self.chunks = chunks
    }

    public var chunkCount: Int { chunks.count }

    /// A counting sort of the positions by their chunk key.
    static func buildChunk(lanes: [UInt64], count: Int, start: Int, width: Int) -> Chunk {
        var offsets = [UInt32](repeating: 0, count: (1 << width) + 1)
        for i in 0..<count { offsets[Int(key(lanes, i, start, width)) + 1] += 1 }
        for k in 0..<(1 << width) { offsets[k + 1] += offsets[k] }
        var next = offsets
        var members = [UInt32](repeating: 0, count: count)
        for i in 0..<count {
            let k = Int(key(lanes, i, start, width))
            members[Int(next[k])] = UInt32(i)
            next[k] += 1
        }
        return Chunk(start: start, width: width, offsets: offsets, members: members)
    }

    /// Bits `start ..< start + width` (width ≤ 32) of hash `i`.
    @inline(__always)
    static func key(_ lanes: [UInt64], _ i: Int, _ start: Int, _ width: Int) -> UInt32 {
        let lane = start >> 6, shift = start & 63
        var bits = lanes[4 * i + lane] >> UInt64(shift)
        if shift + width > 64 { bits |= lanes[4 * i + lane + 1] << UInt64(64 - shift) }
        return UInt32(truncatingIfNeeded: bits & ((1 << UInt64(width)) - 1))
    }

    /// The hash at `position`.
    public subscript(position: Int) -> PDQHash {
        PDQHash(lanes: (lanes[4 * position], lanes[4 * position + 1], lanes[4 * position + 2], lanes[4 * position + 3]))
    }

    /// The positions (ascending) of every hash within `threshold` bits of `query`, with their distances.
    public func matches(of query: PDQHash, within threshold: Int = 31) -> [(position: Int, distance: Int)] {
        let q = [query.lanes.0, query.lanes.1, query.lanes.2, query.lanes.3]
        let radius = threshold / chunks.count
        var seen = Set<UInt32>()
        var found: [(position: Int, distance: Int)] = []
        lanes.withUnsafeBufferPointer { stored in
            for chunk in chunks {
                let queryKey = Self.key(q, 0, chunk.start, chunk.width)
                chunk.offsets.withUnsafeBufferPointer { offsets in
                    chunk.members.withUnsafeBufferPointer { members in
                        Self.forEachKey(near: queryKey, width: chunk.width, radius: radius) { key in
                            for slot in Int(offsets[Int(key)])..<Int(offsets[Int(key) + 1]) {
                                let p = Int(members[slot])
                                let d = (stored[4 * p] ^ q[0]).nonzeroBitCount + (stored[4 * p + 1] ^ q[1]).nonzeroBitCount
                                    + (stored[4 * p + 2] ^ q[2]).nonzeroBitCount + (stored[4 * p + 3] ^ q[3]).nonzeroBitCount
                                if d <= threshold, seen.insert(UInt32(p)).inserted { found.append((p, d)) }
                            }
                        }
                    }
                }
            }
        }
        return found.sorted { $0.position < $1.position }
    }

    /// Calls `body` with `key` and every key that differs from it in at most `radius` of its low `width` bits.
    static func forEachKey(near key: UInt32, width: Int, radius: Int, _ body: (UInt32) -> Void) {
        func flip(_ value: UInt32, from bit: Int, left: Int) {
            body(value)
            guard left > 0 else { return }
            for b in bit..<width { flip(value ^ (1 << UInt32(b)), from: b + 1, left: left - 1) }
        }
        flip(key, from: 0, left: radius)
    }

    /// The same answers by scanning every hash: the reference the index is tested against.
    public func bruteForceMatches(of query: PDQHash, within threshold: Int = 31) -> [(position: Int, distance: Int)] {
        var found: [(position: Int, distance: Int)] = []
        for p in 0..<count {
            let d = self[p].distance(to: query)
            if d <= threshold { found.append((p, d)) }
        }
        return found
    }
}
