import Foundation
import SimilaritySearch
import Testing
import TestSupport

@Suite struct PCATests {
    /// `count` points in a 5-dimension subspace of 64 dimensions, off the origin, with
    /// standard deviations 5, 4, 3, 2, 1 along the subspace's orthonormal directions.
    static func subspaceData(count: Int) -> (points: [Float], mean: [Double]) {
        var rng = SeededGenerator(seed: 21)
        let dimension = 64, rank = 5
        var basis = [[Double]]()
        while basis.count < rank { // Gram–Schmidt on random directions
            var v = (0..<dimension).map { _ in Double(rng.gaussian()) }
            for b in basis {
                let dot = zip(v, b).reduce(0) { $0 + $1.0 * $1.1 }
                v = zip(v, b).map { $0 - dot * $1 }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            basis.append(v.map { $0 / norm })
        }
        let offset = (0..<dimension).map { _ in Double(rng.gaussian()) * 3 }
        var points = [Float]()
        for _ in 0..<count {
            var p = offset
            for (r, b) in basis.enumerated() {
                let z = Double(rng.gaussian()) * Double(rank - r)
                for j in 0..<dimension { p[j] += z * b[j] }
            }
            points += p.map { Float($0) }
        }
        var mean = [Double](repeating: 0, count: dimension)
        for i in 0..<count { for j in 0..<dimension { mean[j] += Double(points[i * dimension + j]) / Double(count) } }
        return (points, mean)
    }

    @Test func subspaceProjectionKeepsDistancesAndCosines() throws {
        let (points, mean) = Self.subspaceData(count: 2_000)
        let pca = try PCA(fitting: points, inputDimension: 64, outputDimension: 5)
        #expect(pca.inputDimension == 64 && pca.outputDimension == 5)
        #expect(pca.retainedVariance > 0.9999, "all variance lies in 5 dimensions: \(pca.retainedVariance)")
        let projected = try pca.apply(points)
        #expect(projected.count == 2_000 * 5)

        var rng = SeededGenerator(seed: 22)
        for _ in 0..<200 {
            let i = Int(rng.next() % 2_000), j = Int(rng.next() % 2_000)
            guard i != j else { continue }
            let xi = (0..<64).map { Double(points[i * 64 + $0]) - mean[$0] }
            let xj = (0..<64).map { Double(points[j * 64 + $0]) - mean[$0] }
            let yi = projected[i * 5..<(i + 1) * 5].map(Double.init), yj = projected[j * 5..<(j + 1) * 5].map(Double.init)
            let distance = zip(xi, xj).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
            let projectedDistance = zip(yi, yj).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
            #expect(abs(distance - projectedDistance) < 1e-3 * max(1, distance))
            let cosine = Synthetic.cosine(xi.map(Float.init)[...], xj.map(Float.init)[...])
            let projectedCosine = Synthetic.cosine(yi.map(Float.init)[...], yj.map(Float.init)[...])
            #expect(abs(cosine - projectedCosine) < 1e-3)
        }
        // Components come out in decreasing variance: 25, 16, 9, 4, 1.
        let variances = (0..<5).map { c in (0..<2_000).reduce(0.0) { $0 + Double(projected[$1 * 5 + c] * projected[$1 * 5 + c]) } / 2_000 }
        for (got, want) in zip(variances, [25.0, 16, 9, 4, 1]) { #expect(abs(got - want) / want < 0.15, "\(variances)") }
    }

    @Test func retainedVarianceReflectsDroppedComponents() throws {
        let (points, _) = Self.subspaceData(count: 2_000)
        let pca = try PCA(fitting: points, inputDimension: 64, outputDimension: 2)
        // Kept 25 + 16 of 25 + 16 + 9 + 4 + 1 = 55, about 0.745.
        #expect(abs(pca.retainedVariance - 41.0 / 55.0) < 0.05, "\(pca.retainedVariance)")
        #expect(try pca.apply(Array(points.prefix(64 * 3))).count == 6)
    }

    @Test func saveAndLoadRoundTrip() throws {
        let (points, _) = Self.subspaceData(count: 500)
        let pca = try PCA(fitting: points, inputDimension: 64, outputDimension: 8)
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("pca.lsindex")
        try pca.save(to: url)
        let loaded = try PCA.load(from: url)
        #expect(loaded.inputDimension == 64 && loaded.outputDimension == 8)
        #expect(abs(loaded.retainedVariance - pca.retainedVariance) < 1e-12)
        #expect(try loaded.apply(points) == pca.apply(points))
    }

    @Test func rejectsBadShapes() throws {
        let (points, _) = Self.subspaceData(count: 100)
        #expect(throws: SearchError.self) { try PCA(fitting: points, inputDimension: 64, outputDimension: 65) }
        #expect(throws: SearchError.self) { try PCA(fitting: points, inputDimension: 64, outputDimension: 0) }
        #expect(throws: SearchError.raggedBatch(floats: 63, dimension: 64)) { try PCA(fitting: Array(points.prefix(63)), inputDimension: 64, outputDimension: 4) }
        #expect(throws: SearchError.self) { try PCA(fitting: Array(points.prefix(64)), inputDimension: 64, outputDimension: 4) }
        #expect(throws: SearchError.self) { try PCA(fitting: [], inputDimension: 64, outputDimension: 4) }
        var poisoned = points
        poisoned[130] = .nan
        #expect(throws: SearchError.self) { try PCA(fitting: poisoned, inputDimension: 64, outputDimension: 4) }
        let pca = try PCA(fitting: points, inputDimension: 64, outputDimension: 4)
        #expect(throws: SearchError.raggedBatch(floats: 65, dimension: 64)) { try pca.apply(Array(points.prefix(65))) }
        #expect(throws: SearchError.self) { try pca.apply(poisoned) }
        #expect(try pca.apply([]).isEmpty)
    }
}
