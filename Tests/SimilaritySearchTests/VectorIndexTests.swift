import Foundation
import SimilaritySearch
import Testing
import TestSupport

@Suite struct VectorIndexTests {
    @Test func flatSearchIsExactCosineTopK() throws {
        var rng = SeededGenerator(seed: 3)
        let dimension = 48
        let vectors = Synthetic.gaussianVectors(count: 2_000, dimension: dimension, using: &rng)
        let ids = (0..<2_000).map { Int64($0) * 7 + 1 }
        let index = try VectorIndex(dimension: dimension, kind: .flat)
        try index.add(ids: ids, vectors: vectors)
        #expect(index.count == 2_000)
        #expect(index.kind == .flat)
        for _ in 0..<25 {
            let query = Synthetic.gaussianVectors(count: 1, dimension: dimension, using: &rng)
            let expected = Synthetic.bruteForceCosine(ids: ids, vectors: vectors, dimension: dimension, query: query, k: 10)
            let got = try index.search(vector: query, k: 10)
            #expect(got.map(\.id) == expected.map(\.id))
            for (g, e) in zip(got, expected) { #expect(abs(Double(g.score) - e.value) < 1e-5) }
        }
    }

    @Test func scoresAreCosinesWhateverTheNorms() throws {
        var rng = SeededGenerator(seed: 4)
        let base = Synthetic.gaussianVectors(count: 1, dimension: 16, using: &rng)
        let other = Synthetic.gaussianVectors(count: 1, dimension: 16, using: &rng)
        let index = try VectorIndex(dimension: 16)
        try index.add(ids: [1, 2, 3], vectors: base.map { $0 * 1_000 } + base.map { $0 * 0.001 } + other)
        let hits = try index.search(vector: base.map { $0 * 3 }, k: 3)
        #expect(hits.map(\.id) == [1, 2, 3])
        #expect(abs(hits[0].score - 1) < 1e-5 && abs(hits[1].score - 1) < 1e-5)
        #expect(abs(Double(hits[2].score) - Synthetic.cosine(base[...], other[...])) < 1e-5)
        let opposite = try index.search(vector: base.map { -$0 }, k: 1)
        #expect(abs(opposite[0].score - Float(Synthetic.cosine(base.map { -$0 }[...], other[...]))) < 1e-5)
    }

    @Test func minScoreKeepsOnlyCloseEnoughHits() throws {
        var rng = SeededGenerator(seed: 5)
        let dimension = 32
        let vectors = Synthetic.gaussianVectors(count: 500, dimension: dimension, using: &rng)
        let ids = (0..<500).map(Int64.init)
        let index = try VectorIndex(dimension: dimension)
        try index.add(ids: ids, vectors: vectors)
        let query = Synthetic.row(vectors, 17, dimension: dimension)
        let all = try index.search(vector: query, k: 500)
        let threshold = all[20].score
        let filtered = try index.search(vector: query, minScore: threshold, k: 500)
        #expect(filtered.map(\.id) == all.filter { $0.score >= threshold }.map(\.id))
        #expect(filtered.count >= 21 && filtered.first?.id == 17)
        #expect(try index.search(vector: query, minScore: 1.5, k: 10).isEmpty)
        #expect(try index.search(vector: query, minScore: -1, k: 10).count == 10)
    }

    /// The shipped IVF parameters for a 20k set must reach recall@10 ≥ 0.95 against exact search.
    @Test func ivfRecallAtTenAgainstFlat() throws {
        var rng = SeededGenerator(seed: 11)
        let dimension = 64, count = 20_000
        let data = Synthetic.Clustered(clusters: 200, dimension: dimension, using: &rng)
        let vectors = data.points(count, using: &rng)
        let queries = data.points(100, using: &rng)
        let ids = (0..<count).map(Int64.init)

        let kind = VectorIndex.Kind.ivf(expectedCount: count)
        let ivf = try VectorIndex(dimension: dimension, kind: kind)
        #expect(!ivf.isTrained && ivf.minimumTrainingCount <= count)
        try ivf.add(ids: ids, vectors: vectors) // trains on this batch first
        #expect(ivf.isTrained && ivf.count == count)
        let flat = try VectorIndex(dimension: dimension, kind: .flat)
        try flat.add(ids: ids, vectors: vectors)

        var found = 0
        for q in 0..<100 {
            let query = Synthetic.row(queries, q, dimension: dimension)
            let exact = Set(try flat.search(vector: query, k: 10).map(\.id))
            found += try ivf.search(vector: query, k: 10).filter { exact.contains($0.id) }.count
        }
        let recall = Double(found) / 1_000
        #expect(recall >= 0.95, "recall@10 \(recall) with \(kind)")
        // Probing every list is exhaustive, so it must agree with flat exactly.
        guard case .ivf(let lists, _) = kind else { Issue.record("expected an IVF kind"); return }
        let query = Synthetic.row(queries, 0, dimension: dimension)
        #expect(try ivf.search(vector: query, k: 10, probes: lists).map(\.id) == flat.search(vector: query, k: 10).map(\.id))
    }

    @Test func ivfNeedsTrainingFirst() throws {
        var rng = SeededGenerator(seed: 12)
        let index = try VectorIndex(dimension: 8, kind: .ivf(lists: 16, probes: 4))
        #expect(index.minimumTrainingCount == 16 * 39)
        let few = Synthetic.gaussianVectors(count: 100, dimension: 8, using: &rng)
        let error = #expect(throws: SearchError.self) { try index.add(ids: (0..<100).map(Int64.init), vectors: few) }
        guard case .notTrained(let message) = error else { Issue.record("wrong error \(String(describing: error))"); return }
        #expect(message.contains("624"))
        #expect(throws: SearchError.self) { try index.train(vectors: few) }
        try index.train(vectors: Synthetic.gaussianVectors(count: 1_000, dimension: 8, using: &rng))
        #expect(index.isTrained)
        try index.add(ids: (0..<100).map(Int64.init), vectors: few)
        #expect(index.count == 100)
        #expect(throws: SearchError.self) { try index.train(vectors: few) }
        #expect(throws: SearchError.self) { try VectorIndex(dimension: 8, kind: .ivf(lists: 4, probes: 5)) }
        // A first batch with a bad vector neither trains nor adds.
        let fresh = try VectorIndex(dimension: 8, kind: .ivf(lists: 16, probes: 4))
        var poisoned = Synthetic.gaussianVectors(count: 700, dimension: 8, using: &rng)
        poisoned[8 * 650 + 3] = .nan
        #expect(throws: SearchError.self) { try fresh.add(ids: (0..<700).map(Int64.init), vectors: poisoned) }
        #expect(!fresh.isTrained && fresh.count == 0)
        #expect(throws: SearchError.self) { try VectorIndex(dimension: 8, kind: .ivf(lists: 0, probes: 0)) }
    }

    @Test func racingFirstBatchesTrainOnce() async throws {
        var rng = SeededGenerator(seed: 14)
        let index = try VectorIndex(dimension: 8, kind: .ivf(lists: 8, probes: 8))
        let batches = (0..<4).map { b in
            ((0..<400).map { Int64(b * 1_000 + $0) }, Synthetic.gaussianVectors(count: 400, dimension: 8, using: &rng))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (ids, vectors) in batches { group.addTask { try index.add(ids: ids, vectors: vectors) } }
            try await group.waitForAll()
        }
        #expect(index.isTrained && index.count == 1_600)
    }

    @Test(arguments: [VectorIndex.Kind.flat, .ivf(lists: 32, probes: 4)])
    func saveAndLoadRoundTrip(kind: VectorIndex.Kind) throws {
        var rng = SeededGenerator(seed: 13)
        let dimension = 24
        let data = Synthetic.Clustered(clusters: 20, dimension: dimension, using: &rng)
        let vectors = data.points(3_000, using: &rng)
        let ids = (0..<3_000).map { Int64($0) - 1_500 }
        let index = try VectorIndex(dimension: dimension, kind: kind)
        try index.add(ids: ids, vectors: vectors)
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("vectors.lsindex")
        try index.save(to: url)
        let loaded = try VectorIndex.load(from: url)
        #expect(loaded.kind == kind && loaded.dimension == dimension && loaded.count == 3_000 && loaded.isTrained)
        for q in 0..<20 {
            let query = Synthetic.row(vectors, q * 97, dimension: dimension)
            let a = try index.search(vector: query, k: 10), b = try loaded.search(vector: query, k: 10)
            #expect(a.map(\.id) == b.map(\.id) && a.map(\.score) == b.map(\.score))
        }
        #expect(throws: SearchError.self) { try loaded.add(ids: [ids[5]], vectors: Array(vectors.prefix(dimension))) }
        try loaded.add(ids: [99_999], vectors: Array(vectors.prefix(dimension)))
        #expect(loaded.count == 3_001)
    }

    @Test func rejectsBadInputWithoutChangingTheIndex() throws {
        let index = try VectorIndex(dimension: 4)
        try index.add(ids: [1], vectors: [1, 0, 0, 0])
        #expect(throws: SearchError.raggedBatch(floats: 3, dimension: 4)) { try index.add(ids: [2], vectors: [1, 2, 3]) }
        #expect(throws: SearchError.countMismatch(ids: 2, items: 1)) { try index.add(ids: [2, 3], vectors: [1, 2, 3, 4]) }
        #expect(throws: SearchError.dimensionMismatch(expected: 4, actual: 5)) { try index.search(vector: [1, 2, 3, 4, 5], k: 1) }
        #expect(throws: SearchError.dimensionMismatch(expected: 4, actual: 0)) { try index.search(vector: [], k: 1) }
        #expect(throws: SearchError.self) { try index.search(vector: [1, 0, 0, 0], k: 0) }
        #expect(throws: SearchError.self) { try index.search(vector: [0, 0, 0, 0], k: 1) }
        #expect(throws: SearchError.self) { try index.search(vector: [1, 0, 0, 0], minScore: .nan, k: 1) }

        let zero = #expect(throws: SearchError.self) { try index.add(ids: [2, 3], vectors: [1, 1, 1, 1, 0, 0, 0, 0]) }
        guard case .invalidArgument(let message) = zero else { Issue.record("wrong error \(String(describing: zero))"); return }
        #expect(message.contains("vector 1") && message.contains("zero"))
        #expect(throws: SearchError.self) { try index.add(ids: [2], vectors: [1, .nan, 0, 0]) }
        #expect(throws: SearchError.self) { try index.add(ids: [2], vectors: [1, .infinity, 0, 0]) }
        #expect(throws: SearchError.self) { try index.add(ids: [1], vectors: [0, 1, 0, 0]) }
        #expect(index.count == 1, "failed adds must leave the index unchanged")

        try index.add(ids: [], vectors: [])
        #expect(throws: SearchError.self) { try VectorIndex(dimension: 0) }
        let empty = try VectorIndex(dimension: 3)
        #expect(try empty.search(vector: [1, 2, 3], k: 5).isEmpty)
        #expect(try index.search(vector: [1, 0, 0, 0], k: Int.max).map(\.id) == [1])
    }

    @Test func automaticKindFollowsTheMeasuredThreshold() {
        #expect(VectorIndex.Kind.automatic(count: 0) == .flat)
        #expect(VectorIndex.Kind.automatic(count: VectorIndex.Kind.flatLimit) == .flat)
        #expect(VectorIndex.Kind.automatic(count: VectorIndex.Kind.flatLimit, dimension: 1_024) != .flat)
        #expect(VectorIndex.Kind.automatic(count: 1_000_000) == .ivf(lists: 2_048, probes: 16))
        #expect(VectorIndex.Kind.automatic(count: 10_000_000) == .ivf(lists: 8_192, probes: 64))
        #expect(VectorIndex.Kind.automatic(count: 100_000) == .ivf(lists: 512, probes: 16))
        #expect(VectorIndex.Kind.ivf(expectedCount: 100) == .ivf(lists: 2, probes: 2))
        // Whenever automatic picks IVF, one batch of the expected size is enough to train it.
        let limit = VectorIndex.Kind.flatLimit
        for count in Array(limit + 1...limit + 3_000) + Array(stride(from: limit, through: 20_000_000, by: 9_973).dropFirst()) {
            guard case .ivf(let lists, let probes) = VectorIndex.Kind.automatic(count: count) else {
                Issue.record("expected IVF for \(count)"); return
            }
            #expect(lists * 39 <= count && (1...lists).contains(probes), "count \(count): lists \(lists) probes \(probes)")
        }
    }
}
