import Crypto
import Foundation

/// The `Lenscale-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
/// keyed by the subscription's secret (the scheme Stripe uses).
///
/// The timestamp is signed with the body so a receiver can reject replays older than a few
/// minutes; the `v1=` label leaves room for a second scheme during a key or algorithm rotation.
public enum WebhookSignature {
    public static let header = "Lenscale-Signature"

    public static func sign(body: String, secret: String, timestamp: Int) -> String {
        "t=\(timestamp),v1=\(digest(body: body, secret: secret, timestamp: timestamp))"
    }

    /// Checks a header value against `body`, allowing `tolerance` seconds of clock difference.
    public static func verify(header value: String, body: String, secret: String, now: Date = Date(), tolerance: Double = 300) -> Bool {
        var timestamp: Int?
        var signatures: [String] = []
        for part in value.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int(pair[1]) }
            if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { return false }
        let expected = Array(digest(body: body, secret: secret, timestamp: timestamp).utf8)
        // Compare every candidate in full, so timing does not reveal how many characters matched.
        return signatures.contains { candidate in
            let bytes = Array(candidate.utf8)
            guard bytes.count == expected.count else { return false }
            return zip(bytes, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }

    static func digest(body: String, secret: String, timestamp: Int) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}
