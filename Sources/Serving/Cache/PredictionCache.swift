/// Tier 1 of the prediction cache: least recently used entries, bounded in bytes.
///
/// An actor: one short critical section per lookup, which is cheaper than the JSON encoding it
/// saves. The recency list is intrusive (indices into `nodes`) so a hit moves an entry without
/// allocating.
public actor PredictionCache {
    public let capacityBytes: Int
    public private(set) var usedBytes = 0
    public private(set) var hits = 0
    public private(set) var misses = 0

    private struct Node {
        var key: CacheKey
        var value: CachedPrediction
        var previous: Int?
        var next: Int?
    }

    private var nodes: [Node] = []
    private var free: [Int] = []
    private var index: [CacheKey: Int] = [:]
    /// Most recently used.
    private var head: Int?
    /// Least recently used: evicted first.
    private var tail: Int?

    public init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
    }

    public var count: Int { index.count }

    public func value(for key: CacheKey) -> CachedPrediction? {
        guard let slot = index[key] else {
            misses += 1
            return nil
        }
        hits += 1
        moveToFront(slot)
        return nodes[slot].value
    }

    public func insert(_ value: CachedPrediction, for key: CacheKey) {
        let cost = value.cost
        guard cost <= capacityBytes else { return }
        if let slot = index[key] {
            usedBytes += cost - nodes[slot].value.cost
            nodes[slot].value = value
            moveToFront(slot)
        } else {
            let node = Node(key: key, value: value, previous: nil, next: nil)
            let slot: Int
            if let reused = free.popLast() {
                nodes[reused] = node
                slot = reused
            } else {
                nodes.append(node)
                slot = nodes.count - 1
            }
            index[key] = slot
            usedBytes += cost
            link(slot)
        }
        while usedBytes > capacityBytes, let last = tail {
            evict(last)
        }
    }

    private func evict(_ slot: Int) {
        unlink(slot)
        usedBytes -= nodes[slot].value.cost
        index[nodes[slot].key] = nil
        free.append(slot)
    }

    private func moveToFront(_ slot: Int) {
        guard head != slot else { return }
        unlink(slot)
        link(slot)
    }

    private func link(_ slot: Int) {
        nodes[slot].previous = nil
        nodes[slot].next = head
        if let head { nodes[head].previous = slot }
        head = slot
        if tail == nil { tail = slot }
    }

    private func unlink(_ slot: Int) {
        let previous = nodes[slot].previous, next = nodes[slot].next
        if let previous { nodes[previous].next = next } else { head = next }
        if let next { nodes[next].previous = previous } else { tail = previous }
        nodes[slot].previous = nil
        nodes[slot].next = nil
    }
}
