/// One image handed to `BatchSubmitter`: bytes received (a multipart part), a local file
/// (`lenscale ingest --async`), or a key already in the configured object store. Never a URL:
/// the server does not fetch arbitrary addresses.
public enum BatchUpload: Sendable, Hashable {
    case bytes(name: String, bytes: [UInt8])
    case file(path: String)
    case storedKey(String)

    /// What the user called it, for per-item reports.
    public var name: String {
        switch self {
        case .bytes(let name, _): name
        case .file(let path): path
        case .storedKey(let key): key
        }
    }
}
