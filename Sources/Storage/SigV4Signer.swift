import Crypto
import Foundation

/// AWS Signature Version 4 for S3, header-based with a signed payload hash.
///
/// Written here (on swift-crypto's HMAC and SHA-256) instead of pulling in an AWS SDK: S3 needs
/// only this one algorithm, and the SDKs bring dozens of modules. Checked against AWS's published
/// examples in SigV4SignerTests.
struct SigV4Signer: Sendable {
    var credentials: S3Credentials
    var region: String
    var service = "s3"

    /// What the signature covers. `headers` must already hold every header to sign, `host` and
    /// `x-amz-date` and `x-amz-content-sha256` included; `canonicalURI` and `canonicalQuery` must be
    /// exactly what goes on the wire (see `AWSURIEncoding`).
    struct Request: Sendable {
        var method: String
        var canonicalURI: String
        var canonicalQuery: String
        var headers: [String: String]
        var payloadHash: String
    }

    /// The `Authorization` header value for `request` at `timestamp` (`yyyyMMdd'T'HHmmss'Z'`).
    func authorization(for request: Request, timestamp: String) -> String {
        let (canonical, signedHeaders) = canonicalRequest(request)
        let day = String(timestamp.prefix(8))
        let signature = self.signature(stringToSign: stringToSign(canonicalRequest: canonical, timestamp: timestamp), day: day)
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(day: day)),"
            + "SignedHeaders=\(signedHeaders),Signature=\(signature)"
    }

    func scope(day: String) -> String { "\(day)/\(region)/\(service)/aws4_request" }

    /// The `x-amz-date` form of `date`, in UTC.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + "Z"
    }

    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}
