import Classification

/// What ingesting one file did.
public struct IngestResult: Sendable {
    public enum Status: String, Sendable, Codable {
        /// Stored and catalogued for the first time.
        case new
        /// The same bytes were already in the catalog; nothing was stored.
        case duplicate
        case error
    }

    public var path: String
    public var sha256: String?
    public var status: Status
    public var error: IngestError?
    /// The labels, fresh for new images, from the catalog for duplicates.
    public var labels: [Label]
    /// For duplicates: the catalogued image these bytes are identical to.
    public var duplicateOf: String?

    public var message: String? {
        switch status {
        case .new: return nil
        case .duplicate: return "exact duplicate of \(duplicateOf ?? sha256 ?? "?")"
        case .error: return error?.description
        }
    }
}
