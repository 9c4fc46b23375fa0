import Foundation
import SimilaritySearch
import Testing
import TestSupport

@Suite struct HammingIndexTests {
    /// Planted codes at every distance 0...20 from a query, hidden among random codes.
    static func planted(seed: UInt64) -> (query: UInt64, ids: [Int64], codes: [UInt64]) {
        var rng = SeededGenerator(seed: seed)
        let query = rng.next()
        var ids = [Int64](), codes = [UInt64]()
        for d in 0...20 {
            ids.append(Int64(1_000 + d))
            codes.append(Synthetic.flip(query, bits: d, using: &rng))
        }
        for i in 0..<2_000 {
            ids.append(Int64(10_000 + i))
            codes.append(rng.next())
        }
        return (query, ids, codes)
    }

    @Test(arguments: [0, 1, 5, 8, 10, 12, 16])
    func findsPlantedCodesExactlyAndNothingBeyond(maxDistance: Int) throws {
        let (query, ids, codes) = Self.planted(seed: 7)
        let index = HammingIndex()
        try index.add(ids: ids, codes: codes)
        let hits = try index.search(code: query, maxDistance: maxDistance)

        for d in 0...20 {
            let found = hits.first { $0.id == Int64(1_000 + d) }
            if d <= maxDistance {
                #expect(found?.distance == d, "planted code at distance \(d) missing or wrong: \(String(describing: found))")
            } else {
                #expect(found == nil, "planted code at distance \(d) returned for maxDistance \(maxDistance)")
            }
        }
        #expect(hits.allSatisfy { $0.distance <= maxDistance })
        let expected = Synthetic.bruteForceRange(ids: ids, codes: codes, query: query, maxDistance: maxDistance)
        #expect(hits.map { Pair(id: $0.id, value: Double($0.distance)) } == expected)
    }

    /// 10k random codes plus near-duplicate families, so radius queries return real result lists.
    static func randomWithFamilies() -> (ids: [Int64], codes: [UInt64], queries: [UInt64]) {
        var rng = SeededGenerator(seed: 99)
        var codes = (0..<10_000).map { _ in rng.next() }
        // 40 families of 25 codes each within 0...14 bits of a parent.
        for family in 0..<40 {
            let parent = codes[family * 97]
            for j in 0..<25 { codes[5_000 + family * 25 + j] = Synthetic.flip(parent, bits: j % 15, using: &rng) }
        }
        let ids = (0..<10_000).map { Int64($0) * 3 - 7_000 } // negative and non-contiguous ids
        var queries = (0..<40).map { codes[$0 * 97] }
        queries += (0..<20).map { _ in rng.next() }
        queries += (0..<20).map { Synthetic.flip(codes[$0 * 211], bits: 6, using: &rng) }
        return (ids, codes, queries)
    }

    @Test(arguments: [8, 10, 12])
    func everyEngineMatchesBruteForce(maxDistance: Int) throws {
        let (ids, codes, queries) = Self.randomWithFamilies()
        let index = HammingIndex()
        try index.add(ids: ids, codes: codes)
        var nonEmpty = 0
        for query in queries {
            let expected = Synthetic.bruteForceRange(ids: ids, codes: codes, query: query, maxDistance: maxDistance)
            for engine in HammingIndex.Engine.allCases {
                let hits = try index.search(code: query, maxDistance: maxDistance, engine: engine)
                #expect(hits.map { Pair(id: $0.id, value: Double($0.distance)) } == expected, "engine \(engine)")
            }
            if !expected.isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty >= 40, "the fixture should exercise non-empty results")
    }

    @Test func nearestMatchesBruteForceIncludingTies() throws {
        let (ids, codes, queries) = Self.randomWithFamilies()
        let index = HammingIndex()
        try index.add(ids: ids, codes: codes)
        for query in queries.prefix(30) {
            for k in [1, 5, 37] {
                let expected = Synthetic.bruteForceNearest(ids: ids, codes: codes, query: query, k: k)
                let got = try index.nearest(code: query, k: k)
                #expect(got.map { Pair(id: $0.id, value: Double($0.distance)) } == expected)
            }
        }
        // Many exact ties: the smaller ids win.
        let tied = HammingIndex()
        try tied.add(ids: [50, 10, 40, 20, 30], codes: [0b1, 0b10, 0b100, 0b1000, 0])
        #expect(try tied.nearest(code: 0, k: 3).map(\.id) == [30, 10, 20])
        #expect(try tied.nearest(code: 0, k: 10).count == 5)
    }

    /// The SIMD scans take codes four at a time; matches in every position of a partial last
    /// block (and of a full one) must be found too.
    @Test func matchesAtTheEndOfTheIndexAreFound() throws {
        var rng = SeededGenerator(seed: 17)
        let query = rng.next()
        for count in 1...12 {
            for position in 0..<count {
                var codes = (0..<count).map { _ in ~query ^ (rng.next() & 0xFF) } // ≥ 56 bits away
                codes[position] = Synthetic.flip(query, bits: 3, using: &rng)
                let index = HammingIndex()
                try index.add(ids: (0..<count).map { Int64($0) + 100 }, codes: codes)
                for engine in HammingIndex.Engine.allCases {
                    let hits = try index.search(code: query, maxDistance: 3, engine: engine)
                    #expect(hits.map(\.id) == [Int64(position) + 100] && hits.map(\.distance) == [3], "\(engine) n=\(count) at \(position)")
                }
                let nearest = try index.nearest(code: query, k: 1)
                #expect(nearest.map(\.id) == [Int64(position) + 100] && nearest.map(\.distance) == [3], "nearest n=\(count) at \(position)")
            }
        }
    }

    @Test func emptyIndexFindsNothing() throws {
        let index = HammingIndex()
        #expect(index.count == 0)
        #expect(try index.search(code: 42, maxDistance: 64).isEmpty)
        #expect(try index.nearest(code: 42, k: 3).isEmpty)
        try index.add(ids: [], codes: [])
        #expect(index.count == 0)
    }

    @Test func rejectsDuplicateIdsWithoutAddingAnything() throws {
        let index = HammingIndex()
        try index.add(ids: [1, 2], codes: [10, 20])
        #expect(throws: SearchError.self) { try index.add(ids: [3, 2], codes: [30, 40]) }
        #expect(index.count == 2)
        #expect(try index.search(code: 30, maxDistance: 0).isEmpty, "a failed batch must add nothing")
        do {
            try index.add(ids: [5, 5], codes: [1, 2])
            Issue.record("a repeated id within one batch was accepted")
        } catch {
            guard case .duplicateID(let message) = error else { Issue.record("wrong error \(error)"); return }
            #expect(message.contains("id 5 "))
        }
        #expect(index.count == 2)
    }

    @Test func removesIdsAndAllowsReuse() throws {
        let (ids, codes, queries) = Self.randomWithFamilies()
        let index = HammingIndex()
        try index.add(ids: ids, codes: codes)
        let gone = Set(ids.enumerated().filter { $0.offset % 3 == 0 }.map(\.element))
        #expect(try index.remove(ids: Array(gone) + [123_456_789]) == gone.count)
        #expect(index.count == ids.count - gone.count)
        #expect(try index.remove(ids: Array(gone)) == 0)
        let keptIDs = ids.filter { !gone.contains($0) }
        let keptCodes = zip(ids, codes).filter { !gone.contains($0.0) }.map(\.1)
        for query in queries.prefix(20) {
            let expected = Synthetic.bruteForceRange(ids: keptIDs, codes: keptCodes, query: query, maxDistance: 12)
            #expect(try index.search(code: query, maxDistance: 12).map { Pair(id: $0.id, value: Double($0.distance)) } == expected)
        }
        let reused = ids[0]
        try index.add(ids: [reused], codes: [0xFFFF])
        #expect(try index.search(code: 0xFFFF, maxDistance: 0).map(\.id) == [reused])
    }

    @Test func rejectsBadArguments() throws {
        let index = HammingIndex()
        #expect(throws: SearchError.countMismatch(ids: 2, items: 1)) { try index.add(ids: [1, 2], codes: [1]) }
        #expect(throws: SearchError.self) { try index.search(code: 0, maxDistance: -1) }
        #expect(throws: SearchError.self) { try index.search(code: 0, maxDistance: 65) }
        #expect(throws: SearchError.self) { try index.nearest(code: 0, k: 0) }
        #expect(try index.search(code: 0, maxDistance: 64).isEmpty)
    }

    @Test func saveAndLoadRoundTrip() throws {
        let (ids, codes, queries) = Self.randomWithFamilies()
        let index = HammingIndex()
        try index.add(ids: ids, codes: codes)
        try index.remove(ids: [ids[1], ids[2]])
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("codes.lsindex")
        try index.save(to: url)
        let loaded = try HammingIndex.load(from: url)
        #expect(loaded.count == index.count)
        for query in queries {
            let a = try index.search(code: query, maxDistance: 12), b = try loaded.search(code: query, maxDistance: 12)
            #expect(a.map(\.id) == b.map(\.id) && a.map(\.distance) == b.map(\.distance))
        }
        #expect(throws: SearchError.self) { try loaded.add(ids: [ids[0]], codes: [1]) }
        try loaded.add(ids: [ids[1]], codes: [1])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["codes.lsindex"], "the atomic save must not leave temporary files")
    }

    @Test func concurrentSearchesAgreeWhileWritesAreSerialised() async throws {
        let (ids, codes, queries) = Self.randomWithFamilies()
        let index = HammingIndex()
        try index.add(ids: ids, codes: codes)
        let expected = try queries.map { try index.search(code: $0, maxDistance: 10).map(\.id) }
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for (q, query) in queries.enumerated() where q % 4 == worker {
                        guard try index.search(code: query, maxDistance: 10).map(\.id) == expected[q] else { return false }
                    }
                    return true
                }
            }
            group.addTask {
                // Writers never overlap readers: ids far from every query, added and removed.
                for round in 0..<20 {
                    try index.add(ids: [Int64(1_000_000 + round)], codes: [UInt64(round)])
                    try index.remove(ids: [Int64(1_000_000 + round)])
                }
                return true
            }
            for try await ok in group { #expect(ok) }
        }
        #expect(index.count == ids.count)
    }
}
