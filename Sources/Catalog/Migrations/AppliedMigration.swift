import Foundation

/// A row of `schema_migrations`: what the database says it has applied.
public struct AppliedMigration: Sendable, Codable, Equatable, Hashable {
    public let version: Int
    public let name: String
    public let appliedAt: Date

    public init(version: Int, name: String, appliedAt: Date) {
        self.version = version
        self.name = name
        self.appliedAt = CatalogTime.rounded(appliedAt)
    }
}
