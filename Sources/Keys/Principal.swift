/// Who made a request: the key's id and name, for audit logs, and what it may do.
public struct Principal: Sendable, Equatable {
    public var keyID: String
    public var name: String
    public var scopes: Set<Scope>

    public init(keyID: String, name: String, scopes: Set<Scope>) {
        self.keyID = keyID
        self.name = name
        self.scopes = scopes
    }

    /// The identity of every request when the server runs with `--insecure-no-auth`.
    package static let developer = Principal(keyID: "insecure-no-auth", name: "local developer", scopes: [.admin])
}
