import Glibc

/// A sorted, pruned walk of one of `FileSystemStore`'s trees, collecting listing entries.
///
/// Folders are visited in the order of the keys they hold, not of their names: a folder `a`
/// holds keys starting `a/`, which sort after a sibling file `a-b` ('-' < '/'). Folders that
/// cannot hold a key after `startAfter` or under `prefix` are skipped without being opened, so
/// paging deep into a large store costs about one page of reads.
struct DirectoryWalk {
    let prefix: String
    let startAfter: String?
    let wanted: Int
    private(set) var found: [ObjectInfo] = []

    init(prefix: String, startAfter: String?, wanted: Int) {
        self.prefix = prefix
        self.startAfter = startAfter
        self.wanted = wanted
    }

    var isFull: Bool { found.count >= wanted }

    /// Named keys: every regular file is an object at its relative path.
    mutating func walkNamed(_ directory: String, keyPrefix: String) throws(StorageError) {
        for entry in try Self.entries(of: directory) where !isFull {
            let key = keyPrefix + entry.name
            if entry.isDirectory {
                if mayContain(keysStartingWith: key + "/") {
                    try walkNamed(directory + "/" + entry.name, keyPrefix: key + "/")
                }
            } else if (try? ObjectKey.validate(key)) != nil, !ObjectKey.isContentKey(key) {
                consider(ObjectInfo(key: key, size: entry.size))
            }
        }
    }

    /// Content keys: `ab/cd/abcd…`; the folders are the key's first digits, not part of it.
    mutating func walkContent(_ root: String) throws(StorageError) {
        for first in try Self.entries(of: root) where first.isDirectory && first.name.utf8.count == 2 && !isFull {
            guard mayContain(keysStartingWith: first.name) else { continue }
            let firstPath = root + "/" + first.name
            for second in try Self.entries(of: firstPath) where second.isDirectory && second.name.utf8.count == 2 && !isFull {
                let shard = first.name + second.name
                guard mayContain(keysStartingWith: shard) else { continue }
                for file in try Self.entries(of: firstPath + "/" + second.name) where !file.isDirectory && !isFull {
                    if ObjectKey.isContentKey(file.name), file.name.hasPrefix(shard) {
                        consider(ObjectInfo(key: file.name, size: file.size))
                    }
                }
            }
        }
    }

    private mutating func consider(_ object: ObjectInfo) {
        guard object.key.utf8.starts(with: prefix.utf8) else { return }
        if let startAfter, !ObjectKey.precedes(startAfter, object.key) { return }
        found.append(object)
    }

    /// Whether some key starting with `keyPrefix` could be listed.
    func mayContain(keysStartingWith keyPrefix: String) -> Bool {
        let underPrefix = keyPrefix.utf8.starts(with: prefix.utf8) || prefix.utf8.starts(with: keyPrefix.utf8)
        guard underPrefix else { return false }
        guard let startAfter else { return true }
        // All keys under `keyPrefix` sort before `startAfter` exactly when `keyPrefix` does and is
        // not itself a prefix of it.
        return startAfter.utf8.starts(with: keyPrefix.utf8) || ObjectKey.precedes(startAfter, keyPrefix)
    }

    static func merge(_ lhs: [ObjectInfo], _ rhs: [ObjectInfo]) -> [ObjectInfo] {
        var merged: [ObjectInfo] = []
        merged.reserveCapacity(lhs.count + rhs.count)
        var left = lhs[...], right = rhs[...]
        while let l = left.first, let r = right.first {
            if ObjectKey.precedes(l.key, r.key) { merged.append(l); left.removeFirst() } else { merged.append(r); right.removeFirst() }
        }
        return merged + left + right
    }
}
