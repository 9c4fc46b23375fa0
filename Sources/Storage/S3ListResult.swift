/// The parts of a ListObjectsV2 answer the store uses.
struct S3ListResult: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var name: String
        var size: Int
    }

    var entries: [Entry]
    var isTruncated: Bool
    var nextContinuationToken: String?

    init(entries: [Entry], isTruncated: Bool, nextContinuationToken: String?) {
        self.entries = entries
        self.isTruncated = isTruncated
        self.nextContinuationToken = nextContinuationToken
    }

    /// Reads `<ListBucketResult>`; a truncated page without a continuation token is an error,
    /// since following it would loop forever on the same page.
    init(xml bytes: [UInt8]) throws(StorageError) {
        let root = try XMLElementTree.parse(bytes)
        guard root.name == "ListBucketResult" else {
            throw .invalidResponse("expected <ListBucketResult>, got <\(root.name)>")
        }
        var entries: [Entry] = []
        for contents in root.children("Contents") {
            guard let name = contents.child("Key")?.text, let size = contents.child("Size").flatMap({ Int($0.text) }) else {
                throw .invalidResponse("a listing entry lacks <Key> or a numeric <Size>")
            }
            entries.append(Entry(name: name, size: size))
        }
        let truncated = root.child("IsTruncated")?.text == "true"
        let token = root.child("NextContinuationToken")?.text
        if truncated, token?.isEmpty ?? true {
            throw .invalidResponse("a truncated listing has no <NextContinuationToken>")
        }
        self.init(entries: entries, isTruncated: truncated, nextContinuationToken: token)
    }
}
