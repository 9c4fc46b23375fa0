/// A map bounded by the total cost of its entries, forgetting the least recently used first;
/// every operation O(1) (amortised over evictions).
///
/// One implementation for every bounded memory of the server: the prediction cache (cost: an
/// entry's bytes), the verified keys and the failure buckets (cost: one). Why not a dictionary
/// scanned for the oldest entry: these are filled by clients, so a scan per insert lets a flood
/// of fresh tokens or addresses make each request cost O(capacity). The recency list is
/// intrusive (indices into `nodes`, freed slots reused), so a hit moves an entry without
/// allocating.
struct LRU<Key: Hashable, Value> {
    private struct Node {
        var key: Key
        var value: Value
        var cost: Int
        var newer: Int?
        var older: Int?
    }

    /// The most total cost held.
    let capacity: Int
    private let cost: (Value) -> Int
    private(set) var used = 0
    private var index: [Key: Int] = [:]
    private var nodes: [Node] = []
    private var free: [Int] = []
    private var newest: Int?
    private var oldest: Int?

    /// - Parameter cost: what one entry counts against `capacity`; one by default.
    init(capacity: Int, cost: @escaping (Value) -> Int = { _ in 1 }) {
        self.capacity = max(0, capacity)
        self.cost = cost
    }

    var count: Int { index.count }

    /// The value for `key`, which becomes the most recently used.
    mutating func value(for key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        touch(slot)
        return nodes[slot].value
    }

    /// Stores `value` as the most recently used, forgetting the oldest entries until the total
    /// fits. A value costing more than the whole capacity is not kept (nor is its key's old one).
    mutating func set(_ value: Value, for key: Key) {
        let weight = cost(value)
        guard weight <= capacity else {
            removeValue(for: key)
            return
        }
        if let slot = index[key] {
            used += weight - nodes[slot].cost
            nodes[slot].value = value
            nodes[slot].cost = weight
            touch(slot)
        } else {
            let node = Node(key: key, value: value, cost: weight, newer: nil, older: newest)
            let slot: Int
            if let reused = free.popLast() {
                nodes[reused] = node
                slot = reused
            } else {
                nodes.append(node)
                slot = nodes.count - 1
            }
            if let newest { nodes[newest].newer = slot }
            newest = slot
            if oldest == nil { oldest = slot }
            index[key] = slot
            used += weight
        }
        while used > capacity, let last = oldest { remove(slot: last) }
    }

    mutating func removeValue(for key: Key) {
        if let slot = index[key] { remove(slot: slot) }
    }

    private mutating func touch(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        nodes[slot].older = newest
        nodes[slot].newer = nil
        if let newest { nodes[newest].newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
    }

    private mutating func remove(slot: Int) {
        unlink(slot)
        used -= nodes[slot].cost
        index.removeValue(forKey: nodes[slot].key)
        free.append(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let (newer, older) = (nodes[slot].newer, nodes[slot].older)
        if let newer { nodes[newer].older = older } else { newest = older }
        if let older { nodes[older].newer = newer } else { oldest = newer }
    }
}
