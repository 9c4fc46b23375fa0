/// S3's `<Error><Code>…</Code><Message>…</Message></Error>` body.
struct S3ErrorDocument: Sendable, Equatable {
    var code: String?
    var message: String?

    init(code: String?, message: String?) {
        self.code = code
        self.message = message
    }

    /// Never throws: an unreadable error body (an HTML page from a proxy, say) just leaves both
    /// fields nil, and the status code alone is reported.
    init(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, let root = try? XMLElementTree.parse(bytes), root.name == "Error" else { return }
        code = root.child("Code")?.text
        message = root.child("Message")?.text
    }
}
