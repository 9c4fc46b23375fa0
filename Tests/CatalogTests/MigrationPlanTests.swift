@testable import Catalog
import Foundation
import Testing

@Suite("Migration plans")
struct MigrationPlanTests {
    static let list = [
        Migration(version: 1, name: "a", sqlite: [], postgres: []),
        Migration(version: 2, name: "b", sqlite: [], postgres: []),
        Migration(version: 5, name: "c", sqlite: [], postgres: []),
    ]

    static func applied(_ pairs: [(Int, String)]) -> [AppliedMigration] {
        pairs.map { AppliedMigration(version: $0.0, name: $0.1, appliedAt: Date(timeIntervalSince1970: 0)) }
    }

    @Test("pending migrations are the unapplied ones, in order")
    func pending() throws {
        #expect(try MigrationPlan(known: Self.list, applied: []).pending == Self.list)
        #expect(try MigrationPlan(known: Self.list, applied: Self.applied([(1, "a")])).pending.map(\.version) == [2, 5])
        #expect(try MigrationPlan(known: Self.list, applied: Self.applied([(1, "a"), (2, "b"), (5, "c")])).pending.isEmpty)
    }

    @Test("a list out of order or without names is refused")
    func invalidLists() {
        let unordered = [Self.list[1], Self.list[0]]
        #expect(throws: CatalogError.self) { try MigrationPlan(known: unordered, applied: []) }
        let duplicate = [Self.list[0], Self.list[0]]
        #expect(throws: CatalogError.self) { try MigrationPlan(known: duplicate, applied: []) }
        let unnamed = [Migration(version: 1, name: "", sqlite: [], postgres: [])]
        #expect(throws: CatalogError.self) { try MigrationPlan(known: unnamed, applied: []) }
    }

    @Test("a database ahead of the code, or with a removed migration, is refused")
    func drift() {
        #expect(throws: CatalogError.schemaNewerThanCode(databaseVersion: 9, knownVersion: 5)) {
            try MigrationPlan(known: Self.list, applied: Self.applied([(1, "a"), (9, "z")]))
        }
        #expect {
            try MigrationPlan(known: Self.list, applied: Self.applied([(3, "gone")]))
        } throws: { error in
            guard case .migrationFailed(3, "gone", _) = error as? CatalogError else { return false }
            return true
        }
    }

    @Test("the shipped list is valid and starts at version 1")
    func shippedList() throws {
        #expect(try MigrationPlan(known: Migrations.all, applied: []).pending.first?.version == 1)
        #expect(Migrations.all.allSatisfy { !$0.sqlite.isEmpty && !$0.postgres.isEmpty })
    }
}
