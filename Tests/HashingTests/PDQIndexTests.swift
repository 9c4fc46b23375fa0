import Hashing
import Testing
import TestSupport

@Suite struct PDQIndexTests {
    func random(_ rng: inout SeededGenerator) -> PDQHash { PDQHash(lanes: (rng.next(), rng.next(), rng.next(), rng.next())) }

    /// `hash` with `distance` distinct bits flipped.
    func flipped(_ hash: PDQHash, _ distance: Int, _ rng: inout SeededGenerator) -> PDQHash {
        var bits = (0..<256).map(hash.bit)
        for b in Array(0..<256).shuffled(using: &rng).prefix(distance) { bits[b].toggle() }
        return PDQHash(bits: bits)
    }

    @Test(arguments: [nil, 11, 16, 24])
    func answersExactlyAsBruteForce(chunkCount: Int?) {
        var rng = SeededGenerator(seed: 16)
        var hashes = (0..<20_000).map { _ in random(&rng) }
        let queries = (0..<40).map { _ in random(&rng) }
        // Plant neighbours of each query at the edge distances, and clustered bit flips (all in
        // one chunk) that a wrong radius would miss.
        for (i, query) in queries.enumerated() {
            for distance in [0, 1, 15, 29, 30, 31, 32, 33, 40] { hashes.append(flipped(query, distance, &rng)) }
            var bits = (0..<256).map(query.bit)
            for b in (i % 8 * 24)..<(i % 8 * 24 + 31) { bits[b].toggle() }
            hashes.append(PDQHash(bits: bits))
        }
        let index = PDQIndex(hashes, chunkCount: chunkCount)
        for query in queries {
            for threshold in [0, 30, 31, 32] {
                let fast = index.matches(of: query, within: threshold)
                let slow = index.bruteForceMatches(of: query, within: threshold)
                #expect(fast.map(\.position) == slow.map(\.position), "threshold \(threshold), \(index.chunkCount) chunks")
                #expect(fast.map(\.distance) == slow.map(\.distance))
            }
            // The planted 0/1/15/29/30/31 neighbours and the clustered 31 are found at the default threshold.
            #expect(index.matches(of: query).count >= 7)
        }
    }

    @Test func emptyAndTinyIndexes() {
        #expect(PDQIndex([]).matches(of: PDQHash(lanes: (1, 2, 3, 4))).isEmpty)
        let one = PDQHash(lanes: (1, 2, 3, 4))
        let index = PDQIndex([one])
        #expect(index.matches(of: one).map(\.position) == [0])
        #expect(index[0] == one)
    }
}
