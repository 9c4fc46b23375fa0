/// A bounded map that forgets its least recently used entry, every operation O(1).
///
/// Why not a dictionary scanned for the oldest entry: the key memory and the failure buckets
/// are filled by clients, so a scan per insert lets a flood of fresh tokens or addresses make
/// each request cost O(capacity) inside the actor every request goes through.
struct LRU<Key: Hashable, Value> {
    private struct Node {
        var key: Key
        var value: Value
        var newer: Int?
        var older: Int?
    }

    let capacity: Int
    private var index: [Key: Int] = [:]
    private var nodes: [Node] = []
    private var free: [Int] = []
    private var newest: Int?
    private var oldest: Int?

    init(capacity: Int) {
        precondition(capacity > 0, "an LRU holds at least one entry")
        self.capacity = capacity
    }

    var count: Int { index.count }

    /// The value for `key`, which becomes the most recently used.
    mutating func value(for key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        touch(slot)
        return nodes[slot].value
    }

    /// Stores `value` as the most recently used, forgetting the oldest entry when full.
    mutating func set(_ value: Value, for key: Key) {
        if let slot = index[key] {
            nodes[slot].value = value
            touch(slot)
            return
        }
        if index.count >= capacity, let last = oldest { remove(slot: last) }
        let node = Node(key: key, value: value, newer: nil, older: newest)
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
        index.removeValue(forKey: nodes[slot].key)
        free.append(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let (newer, older) = (nodes[slot].newer, nodes[slot].older)
        if let newer { nodes[newer].older = older } else { newest = older }
        if let older { nodes[older].newer = newer } else { oldest = newer }
    }
}
