import Clocks
import ImageDecoding
import Testing
import TestSupport

/// The process-wide pixel budget, on a manual clock: nothing here waits on wall-clock time.
@Suite struct DecodeBudgetTests {
    @Test("within the budget a reservation is immediate; more than the whole budget is refused at once")
    func immediateAndTooLarge() async throws {
        let budget = DecodeBudget(capacity: 100, clock: ManualClock())
        try await budget.reserve(60, waiting: .seconds(1))
        #expect(budget.available == 40)
        await #expect(throws: DecodeBudget.Refusal.tooLarge(bytes: 101, capacity: 100)) {
            try await budget.reserve(101, waiting: .seconds(3600))
        }
        budget.release(60)
        #expect(budget.available == 100)
    }

    @Test("a reservation waits for a release, and one still unmet when its wait ends is refused as busy")
    func waitsThenGivesUp() async throws {
        let clock = ManualClock()
        let budget = DecodeBudget(capacity: 100, clock: clock)
        try await budget.reserve(100, waiting: .zero)
        let granted = Task { try await budget.reserve(50, waiting: .seconds(10)) }
        try await poll("the first waiter's deadline") { clock.pendingDeadlines.count == 1 }
        budget.release(100)
        try await granted.value
        #expect(budget.available == 50)

        let refused = Task { try await budget.reserve(80, waiting: .seconds(10)) }
        try await poll("the second waiter's deadline") { clock.pendingDeadlines.count == 1 }
        clock.advance(by: .seconds(9))
        #expect(budget.available == 50, "nothing is granted or refused before the deadline")
        clock.advance(by: .seconds(1))
        await #expect(throws: DecodeBudget.Refusal.busy(waited: .seconds(10))) { try await refused.value }
        #expect(budget.available == 50)
    }

    @Test("first come, first served: a large waiter is not overtaken, and when it gives up the smaller ones behind it go")
    func arrivalOrder() async throws {
        let clock = ManualClock()
        let budget = DecodeBudget(capacity: 100, clock: clock)
        try await budget.reserve(70, waiting: .zero)
        let large = Task { try await budget.reserve(90, waiting: .seconds(5)) }
        try await poll("the large waiter") { clock.pendingDeadlines.count == 1 }
        let small = Task { try await budget.reserve(20, waiting: .seconds(60)) }
        try await poll("the small waiter") { clock.pendingDeadlines.count == 2 }
        #expect(budget.available == 30, "the small request overtook the large one")
        clock.advance(by: .seconds(5))
        await #expect(throws: DecodeBudget.Refusal.self) { try await large.value }
        try await small.value
        #expect(budget.available == 10)
    }

    @Test("a cancelled waiter leaves the queue without taking anything")
    func cancellation() async throws {
        let clock = ManualClock()
        let budget = DecodeBudget(capacity: 10, clock: clock)
        try await budget.reserve(10, waiting: .zero)
        let waiting = Task { try await budget.reserve(5, waiting: .seconds(3600)) }
        try await poll("the waiter") { clock.pendingDeadlines.count == 1 }
        waiting.cancel()
        await #expect(throws: DecodeBudget.Refusal.self) { try await waiting.value }
        budget.release(10)
        #expect(budget.available == 10)
    }

    @Test("the peak estimate follows DCT scaling, bit depth and rotation, and saturates instead of overflowing")
    func peakBytes() throws {
        let png = ImageHeader(format: .png, width: 1000, height: 1000)
        // Pixels times bytes a pixel, plus the hashing's row sums (the longer side × 32 floats).
        #expect(ImageDecoder.peakBytes(for: png, minimumShorterSide: nil) == 1_000_000 * 7 + 1000 * 128)
        let sixteen = try ImageHeader.read(BadInputs.pngHeader(width: 100, height: 100, bitDepth: 16))
        #expect(ImageDecoder.peakBytes(for: sixteen, minimumShorterSide: nil) == 10_000 * 9 + 100 * 128)
        let jpeg = ImageHeader(format: .jpeg, width: 4000, height: 3000)
        // A 224-pixel model needs the shorter side at 224 or more: 1/8 scale gives 500 × 375.
        #expect(ImageDecoder.peakBytes(for: jpeg, minimumShorterSide: 224) == 500 * 375 * 3 + 500 * 128)
        let rotated = ImageHeader(format: .webp, width: 10, height: 10, orientation: .right)
        #expect(ImageDecoder.peakBytes(for: rotated, minimumShorterSide: nil) == 100 * 6 + 10 * 128)
        let huge = ImageHeader(format: .png, width: Int(UInt32.max), height: Int(UInt32.max))
        #expect(ImageDecoder.peakBytes(for: huge, minimumShorterSide: nil) == Int.max)
    }
}
