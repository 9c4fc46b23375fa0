@testable import Catalog
import Foundation
import GRDB
import Testing
import TestSupport

/// Embedded mode promises that an acknowledged write survives power loss: every connection of
/// the pool commits with `synchronous = FULL` (GRDB's WAL default is NORMAL).
@Suite("SQLite catalog durability")
struct SQLiteDurabilityTests {
    @Test("the writer and every reader run PRAGMA synchronous = FULL (2)")
    func synchronousIsFull() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let catalog = try SQLiteCatalog(configuration: .init(path: directory.appendingPathComponent("catalog.sqlite").path))
        let writer = try await catalog.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(writer == 2)
        // Several concurrent reads, so the pool opens more than one reader connection.
        let readers = try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<4 {
                group.addTask { try await catalog.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } }
            }
            return try await group.reduce(into: [Int?]()) { $0.append($1) }
        }
        #expect(readers.allSatisfy { $0 == 2 }, "\(readers)")
        try await catalog.close()
    }
}
