import Hashing

/// One image handed to `BatchSubmitter`: bytes received (a multipart part), a local file
/// (`lenscale ingest --async`), or a key already in the configured object store. Never a URL:
/// the server does not fetch arbitrary addresses.
public enum BatchUpload: Sendable, Hashable {
    /// `sha256`: the bytes' hash when the receiver already took it (a form part is hashed as
    /// it arrives), so the submitter does not hash 20 MB again.
    case bytes(name: String, bytes: [UInt8], sha256: ContentHash? = nil)
    case file(path: String)
    case storedKey(String)
    /// An upload refused before it reached the submitter (a form part over the size limit):
    /// it becomes a failed item with `reason`, and the rest of the batch goes on.
    case rejected(name: String, reason: String)

    /// What the user called it, for per-item reports.
    public var name: String {
        switch self {
        case .bytes(let name, _, _): name
        case .file(let path): path
        case .storedKey(let key): key
        case .rejected(let name, _): name
        }
    }

    /// Bytes this upload holds in memory.
    public var byteCount: Int {
        if case .bytes(_, let bytes, _) = self { return bytes.count }
        return 0
    }
}
