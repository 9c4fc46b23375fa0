import Foundation
import Hashing

/// A stored API key: its public id, a name for humans, its scopes and the digest of its secret.
public struct APIKey: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var scopes: Set<Scope>
    public var secretSHA256: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, name: String, scopes: Set<Scope>, secretSHA256: String, createdAt: Date = Date(), revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.secretSHA256 = secretSHA256
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// A fresh key: the record to store and the token to hand the user once.
    ///
    /// The token is `lsk_<id>_<secret>`: 8 random bytes of id and 32 of secret, hex. The id lets
    /// the server find the row with one probe; only the secret's SHA-256 is stored. A fast hash is
    /// enough because the secret has 256 random bits: there is nothing to brute-force.
    public static func generate(name: String, scopes: Set<Scope>) throws(APIKeyError) -> (key: APIKey, token: String) {
        guard !scopes.isEmpty else { throw .noScopes }
        let id = Self.randomHex(bytes: 8)
        let secret = Self.randomHex(bytes: 32)
        let key = APIKey(id: id, name: name, scopes: scopes, secretSHA256: Self.digest(secret))
        return (key, "lsk_\(id)_\(secret)")
    }

    /// Splits a token into id and secret, or throws `.malformed`.
    public static func parse(token: String) throws(APIKeyError) -> (id: String, secret: String) {
        let parts = token.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "lsk", parts[1].count == 16, parts[2].count == 64,
              (parts[1] + parts[2]).allSatisfy(\.isASCIIHexDigit)
        else { throw .malformed }
        return (String(parts[1]), String(parts[2]))
    }

    /// Whether `secret` is this key's, compared in constant time so timing reveals nothing.
    public func matches(secret: String) -> Bool {
        let a = Array(Self.digest(secret).utf8), b = Array(secretSHA256.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    package static func digest(_ secret: String) -> String {
        ContentHash(of: Array(secret.utf8)).hex
    }

    package static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }
}
