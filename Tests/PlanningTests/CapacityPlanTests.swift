import Planning
import Testing

@Suite struct CapacityPlanTests {
    /// The design brief's storage figures: a billion 200 KB images are 200 TB; 512-d float32
    /// embeddings are about 2 TB, 6 TB with triple replication.
    @Test func reproducesTheBriefsStorageFigures() {
        let plan = CapacityPlan(CapacityInputs(images: 1e9, averageImageBytes: 200e3, embeddingDims: 512, replication: 3,
                                               imagesPerSecondPerNode: 100))
        #expect(plan.rawBytes == 200e12)
        #expect(ByteCount.format(plan.rawBytes) == "200 TB")
        #expect(plan.embeddingBytes == 2.048e12)
        #expect(ByteCount.format(plan.embeddingBytes) == "2.05 TB")
        #expect(plan.embeddingBytesReplicated == 6.144e12)
        #expect(plan.replicatedBytes == (200e12 + 2.048e12 + 1.29e12) * 3)
        let half = CapacityPlan(CapacityInputs(images: 1e9, averageImageBytes: 200e3, embeddingBytesPerValue: 2, imagesPerSecondPerNode: 100))
        #expect(half.embeddingBytes == 1.024e12)
    }

    @Test func nodeCountsFollowTheArithmetic() {
        let inputs = CapacityInputs(images: 1e9, averageImageBytes: 200e3, requestsPerSecond: 10_000, hitRatio: 0.9,
                                    latencyTarget: 0.15, imagesPerSecondPerNode: 110, backfillDays: 30)
        let plan = CapacityPlan(inputs)
        #expect(abs(plan.missRate - 1_000) < 1e-9)
        // ρ = 1 − ln(100) / (110 × 0.15) = 0.7209; 1,000 / (110 × 0.7209) = 12.6 → 13 nodes.
        #expect(abs(plan.maxUtilisation - 0.72090) < 1e-4)
        #expect(plan.onlineNodes == 13)
        // 1e9 / (110 × 86,400 × 30) = 3.5 → 4 nodes.
        #expect(plan.backfillNodes == 4)
        #expect(plan.hotCacheBytes == 1e9 * 0.01 * 600)
    }

    @Test func anUnreachableLatencyTargetIsReported() {
        let plan = CapacityPlan(CapacityInputs(images: 1, averageImageBytes: 1, requestsPerSecond: 100, latencyTarget: 0.02,
                                               imagesPerSecondPerNode: 100))
        #expect(plan.maxUtilisation < 0 && plan.onlineNodes == nil)
        let idle = CapacityPlan(CapacityInputs(images: 1, averageImageBytes: 1, requestsPerSecond: 0, imagesPerSecondPerNode: 100))
        #expect(idle.onlineNodes == 0)
    }

    @Test func inputsAreValidated() {
        #expect(CapacityInputs(images: 1e9, averageImageBytes: 200e3, imagesPerSecondPerNode: 100).problem == nil)
        #expect(CapacityInputs(images: 1, averageImageBytes: 1, hitRatio: 1.5, imagesPerSecondPerNode: 1).problem != nil)
        #expect(CapacityInputs(images: 1, averageImageBytes: 1, replication: 0, imagesPerSecondPerNode: 1).problem != nil)
        #expect(CapacityInputs(images: 1, averageImageBytes: 1, imagesPerSecondPerNode: 0).problem != nil)
    }

    /// Extreme inputs are refused by `problem`; whatever passes it plans without trapping.
    @Test(arguments: [1e300, -1e300, Double.infinity, Double.nan, 1e16, 9.3e18])
    func extremeNumbersAreRefusedNotTrapped(value: Double) {
        let cases = [
            CapacityInputs(images: value, averageImageBytes: 1, imagesPerSecondPerNode: 1),
            CapacityInputs(images: 1, averageImageBytes: value, imagesPerSecondPerNode: 1),
            CapacityInputs(images: 1, averageImageBytes: 1, requestsPerSecond: value, imagesPerSecondPerNode: 1),
            CapacityInputs(images: 1, averageImageBytes: 1, latencyTarget: value, imagesPerSecondPerNode: 1),
            CapacityInputs(images: 1, averageImageBytes: 1, imagesPerSecondPerNode: value),
            CapacityInputs(images: 1, averageImageBytes: 1, imagesPerSecondPerNode: 1, backfillDays: value),
            CapacityInputs(images: 1, averageImageBytes: 1, imagesPerSecondPerNode: 1 / value),
            CapacityInputs(images: 1, averageImageBytes: 1, imagesPerSecondPerNode: 1, backfillDays: 1 / value),
        ]
        for inputs in cases where inputs.problem == nil { _ = CapacityPlan(inputs) }
        #expect(cases.prefix(6).allSatisfy { $0.problem != nil })
        #expect(CapacityInputs(images: 1, averageImageBytes: 1, embeddingDims: Int.max, imagesPerSecondPerNode: 1).problem != nil)
        #expect(CapacityInputs(images: 1, averageImageBytes: 1, replication: Int.max, imagesPerSecondPerNode: 1).problem != nil)
    }

    @Test func theLargestAcceptedInputsPlan() {
        let inputs = CapacityInputs(images: 1e15, averageImageBytes: 1e13, embeddingDims: 1_000_000, replication: 100, requestsPerSecond: 1e9,
                                    hitRatio: 0, latencyTarget: 0.0047, imagesPerSecondPerNode: 1000, backfillDays: 0.001)
        #expect(inputs.problem == nil)
        let plan = CapacityPlan(inputs)
        #expect(plan.backfillNodes > 0)
    }

    @Test func sizesParseInDecimalUnits() {
        #expect(ByteCount.parse("200KB") == 200e3)
        #expect(ByteCount.parse("1.5 TB") == 1.5e12)
        #expect(ByteCount.parse("1e9") == 1e9)
        #expect(ByteCount.parse("12") == 12)
        #expect(ByteCount.parse("lots") == nil)
        #expect(ByteCount.parse("-5KB") == nil)
        #expect(ByteCount.format(600) == "600 B")
    }
}
