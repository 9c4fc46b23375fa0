/// Tier 1 of the prediction cache: least recently used entries, bounded in bytes (`LRU`).
///
/// An actor: one short critical section per lookup, which is cheaper than the JSON encoding it
/// saves.
public actor PredictionCache {
    public let capacityBytes: Int
    public private(set) var hits = 0
    public private(set) var misses = 0
    private var entries: LRU<CacheKey, CachedPrediction>

    public init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
        entries = LRU(capacity: capacityBytes, cost: \.cost)
    }

    public var count: Int { entries.count }
    public var usedBytes: Int { entries.used }

    public func value(for key: CacheKey) -> CachedPrediction? {
        guard let value = entries.value(for: key) else {
            misses += 1
            return nil
        }
        hits += 1
        return value
    }

    public func insert(_ value: CachedPrediction, for key: CacheKey) {
        entries.set(value, for: key)
    }
}
