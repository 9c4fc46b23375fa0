import Hashing

/// A named list of known content, as trust-and-safety exchanges share them: PDQ hashes matched
/// within a Hamming threshold, or SHA-256/MD5 digests matched exactly, and what to do on a match.
public struct HashBank: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case pdq, sha256, md5

        /// Hex digits in one hash of this kind.
        public var hexLength: Int {
            switch self {
            case .pdq, .sha256: 64
            case .md5: 32
            }
        }
    }

    public enum Action: String, Sendable, Hashable, CaseIterable {
        case block, review, tag
    }

    public struct Entry: Sendable, Hashable {
        /// Lowercase hex, `kind.hexLength` digits.
        public var hash: String
        public var label: String?

        public init(hash: String, label: String? = nil) {
            self.hash = hash
            self.label = label
        }
    }

    /// PDQ's documented default match threshold.
    public static let defaultPDQThreshold = 31

    public var name: String
    public var kind: Kind
    /// The largest Hamming distance that matches; 0 for the exact kinds.
    public var threshold: Int
    public var action: Action
    public var entries: [Entry]

    public init(name: String, kind: Kind, threshold: Int? = nil, action: Action, entries: [Entry] = []) {
        self.name = name
        self.kind = kind
        self.threshold = kind == .pdq ? (threshold ?? Self.defaultPDQThreshold) : 0
        self.action = action
        self.entries = entries
    }

    /// The PDQ hashes of a PDQ bank, in entry order, for a `PDQIndex`.
    public var pdqHashes: [PDQHash] {
        kind == .pdq ? entries.compactMap { PDQHash(hex: $0.hash) } : []
    }
}
