import Crypto

extension SigV4Signer {
    /// The canonical request and its `SignedHeaders` list.
    func canonicalRequest(_ request: Request) -> (String, signedHeaders: String) {
        let headers = request.headers
            .map { (name: $0.key.lowercased(), value: Self.normalizeHeaderValue($0.value)) }
            .sorted { $0.name < $1.name }
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        let canonical = [
            request.method,
            request.canonicalURI,
            request.canonicalQuery,
            headers.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")
        return (canonical, signedHeaders)
    }

    func stringToSign(canonicalRequest: String, timestamp: String) -> String {
        let hash = Hex.encode(SHA256.hash(data: Array(canonicalRequest.utf8)))
        return "AWS4-HMAC-SHA256\n\(timestamp)\n\(scope(day: String(timestamp.prefix(8))))\n\(hash)"
    }

    /// HMAC chain date → region → service → "aws4_request", then the string to sign.
    func signature(stringToSign: String, day: String) -> String {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// Trims the value and folds runs of spaces into one, as SigV4 requires.
    static func normalizeHeaderValue(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
