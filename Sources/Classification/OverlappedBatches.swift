/// Runs a two-stage batch job where stage one (read, decode: parallel, CPU-bound) for batch k+1
/// overlaps stage two (the model, one batch at a time) for batch k.
///
/// Classification, ingest and the offline batch job all have this shape; keeping the overlap in
/// one place keeps its memory bound (two batches in flight) and its ordering rules the same.
public enum OverlappedBatches {
    /// Prepares `inputs` with at most `concurrency` `prepare` calls at once, hands each batch of
    /// `batchSize` prepared items (in input order) to `process`, and awaits `process` for batch k
    /// while batch k+1 is being prepared.
    public static func run<Input: Sendable, Prepared: Sendable>(
        _ inputs: [Input],
        batchSize: Int,
        concurrency: Int,
        prepare: @escaping @Sendable (Input) async -> Prepared,
        process: ([Prepared]) async -> Void
    ) async {
        let batches = stride(from: 0, to: inputs.count, by: max(1, batchSize)).map { start in
            Array(inputs[start..<min(start + max(1, batchSize), inputs.count)])
        }
        guard !batches.isEmpty else { return }
        var current = await prepareAll(batches[0], concurrency: concurrency, prepare: prepare)
        for next in batches.indices {
            async let upcoming = next + 1 < batches.count
                ? prepareAll(batches[next + 1], concurrency: concurrency, prepare: prepare) : []
            await process(current)
            current = await upcoming
        }
    }

    /// Prepares one batch with bounded parallelism, keeping input order.
    static func prepareAll<Input: Sendable, Prepared: Sendable>(
        _ batch: [Input], concurrency: Int, prepare: @escaping @Sendable (Input) async -> Prepared
    ) async -> [Prepared] {
        await withTaskGroup(of: (Int, Prepared).self) { group in
            var results = [Prepared?](repeating: nil, count: batch.count)
            var next = 0
            func addNext() {
                guard next < batch.count else { return }
                let (index, input) = (next, batch[next])
                next += 1
                group.addTask { (index, await prepare(input)) }
            }
            for _ in 0..<max(1, concurrency) { addNext() }
            for await (index, prepared) in group {
                results[index] = prepared
                addNext()
            }
            return results.map { $0! }
        }
    }
}
