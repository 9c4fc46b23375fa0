import Classification
import Foundation
import Hashing
import Storage

/// The parallel stage: read, hash, and decode one item, unless it is another shard's or its
/// content was met before.
struct ItemReader: Sendable {
    let classifier: Classifier
    let store: (any ObjectStore)?
    /// `.whole` when the source is sharded by position (already applied to the list).
    let shard: Shard
    /// Keep the decoded pixels long enough for a perceptual hash (the catalog needs it).
    let keepImage: Bool
    let known: KnownContent

    struct Prepared: Sendable {
        enum State: Sendable {
            case skipped
            case failed(code: String, message: String)
            /// The store could not be reached for it (see `BatchOutcome.Kind.unreachable`).
            case unreachable(message: String)
            /// Seen before (in this run or an earlier one); not decoded again.
            case known
            case fresh(PreparedImage, ImageFacts)
        }
        var item: BatchItem
        var sha256: String?
        var state: State
        /// CPU time of this item's read, hash and decode, on the thread that ran them.
        var cpuSeconds: Double = 0
    }

    func prepare(_ item: BatchItem) async -> Prepared {
        let prepared = await read(item)
        // An item that failed before it could be hashed has no content to shard by; its name
        // decides instead, so exactly one shard lists it.
        if shard.count > 1, prepared.sha256 == nil, prepared.state.isFailure,
           !shard.owns(sha256: ContentHash(of: Array(item.name.utf8)).hex) {
            return Prepared(item: item, sha256: nil, state: .skipped)
        }
        return prepared
    }

    func read(_ item: BatchItem) async -> Prepared {
        if await known.stopped { return Prepared(item: item, sha256: nil, state: .skipped) }
        // A content-addressed name says which shard the item is without reading it.
        if shard.count > 1, let stated = item.statedSHA256, !shard.owns(sha256: stated) {
            return Prepared(item: item, sha256: stated, state: .skipped)
        }
        var cpu = CPUTime.thread()
        let bytes: [UInt8]
        let maxBytes = classifier.decoder.limits.maxBytes
        switch item.location {
        case .file(let path):
            do {
                bytes = try FileReader.read(path, maxBytes: maxBytes)
            } catch {
                return Prepared(item: item, sha256: nil, state: .failed(code: error.code, message: error.description))
            }
        case .object(let key):
            if let size = item.size, size > maxBytes {
                let error = ClassificationError.decode(.tooManyBytes(count: size, limit: maxBytes))
                return Prepared(item: item, sha256: nil, state: .failed(code: error.code, message: error.description))
            }
            guard let store else { return Prepared(item: item, sha256: nil, state: .failed(code: "unreadable", message: "no store for key \(key)")) }
            do {
                bytes = try await store.get(key)
            } catch {
                if error.isRetryable {
                    return Prepared(item: item, sha256: nil, state: .unreachable(message: "cannot read the object: \(error)"))
                }
                return Prepared(item: item, sha256: nil, state: .failed(code: Self.code(error), message: "cannot read the object: \(error)"))
            }
            cpu = CPUTime.thread()
            if bytes.count > maxBytes {
                let error = ClassificationError.decode(.tooManyBytes(count: bytes.count, limit: maxBytes))
                return Prepared(item: item, sha256: nil, state: .failed(code: error.code, message: error.description))
            }
        }
        let sha256 = ContentHash(of: bytes).hex
        // Thread CPU time is only meaningful up to the next await, which may resume elsewhere.
        let readCPU = CPUTime.thread() - cpu
        if shard.count > 1, item.statedSHA256 == nil, !shard.owns(sha256: sha256) {
            return Prepared(item: item, sha256: sha256, state: .skipped, cpuSeconds: readCPU)
        }
        if await known.contains(sha256) {
            return Prepared(item: item, sha256: sha256, state: .known, cpuSeconds: readCPU)
        }
        let start = CPUTime.thread()
        do {
            var image = try classifier.prepare(bytes, sha256: sha256, keepImage: keepImage)
            let codes = image.image.map { PerceptualCodes(image: $0) }
            image.image = nil
            let facts = ImageFacts(bytes: bytes.count, header: image.header, codes: codes)
            return Prepared(item: item, sha256: sha256, state: .fresh(image, facts), cpuSeconds: readCPU + CPUTime.thread() - start)
        } catch {
            return Prepared(item: item, sha256: sha256, state: .failed(code: error.code, message: error.description),
                            cpuSeconds: readCPU + CPUTime.thread() - start)
        }
    }

    static func code(_ error: StorageError) -> String {
        switch error {
        case .notFound: "not_found"
        case .timeout: "timeout"
        default: "storage"
        }
    }
}

extension ItemReader.Prepared.State {
    /// Failed for good, or for now: either way there is no content to go by.
    var isFailure: Bool {
        switch self {
        case .failed, .unreachable: true
        case .skipped, .known, .fresh: false
        }
    }
}

/// The content hashes met so far, so the readers can skip decoding a duplicate, and the stop
/// flag raised when writing failed. Only the in-order stage decides what is a duplicate; this
/// only saves work.
actor KnownContent {
    private var hashes: Set<String>
    private(set) var stopped = false

    init(_ hashes: Set<String>) { self.hashes = hashes }

    func contains(_ sha256: String) -> Bool { hashes.contains(sha256) }
    func insert(_ sha256: String) { hashes.insert(sha256) }
    func stop() { stopped = true }
}
