import Catalog
import Foundation
import TestSupport
import Testing

/// The behaviour every `Catalog` must have, run against SQLite and PostgreSQL alike.
///
/// Each case gets an empty store of its own (a temporary file or a fresh schema), so the cases run
/// in parallel. PostgreSQL must be running (`sudo tools/postgres.sh start`): its cases fail, with
/// that command in the message, when it is not.
@Suite("Catalog contract")
struct CatalogContractTests {
    // MARK: Migrations

    @Test("migrations are recorded by version and name, and a second migrate() changes nothing", arguments: TestBackend.allCases)
    func migrationsAreVersionedAndIdempotent(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await store.withConnected { catalog in
                #expect(try await catalog.appliedMigrations().isEmpty)
                try await catalog.migrate()
                let first = try await catalog.appliedMigrations()
                #expect(first.map(\.version) == Migrations.all.map(\.version))
                #expect(first.map(\.name) == Migrations.all.map(\.name))
                #expect(Array(first.map(\.name).prefix(3)) == ["create_images", "create_predictions", "create_embeddings"])
                try await catalog.migrate()
                #expect(try await catalog.appliedMigrations() == first)
            }
        }
    }

    @Test("two catalogs migrating the same empty database at once apply each migration once", arguments: TestBackend.allCases)
    func concurrentMigrate(backend: TestBackend) async throws {
        // No pre-made schema on PostgreSQL, so both also race to create it.
        try await backend.withStore(createSchema: false) { store in
            try await store.withConnected { one in
                try await store.withConnected { two in
                    async let migratedOne: Void = one.migrate()
                    async let migratedTwo: Void = two.migrate()
                    _ = try await (migratedOne, migratedTwo)
                    #expect(try await one.appliedMigrations().map(\.version) == Migrations.all.map(\.version))
                    let inserted = try await one.insertImage(Samples.image(1))
                    #expect(try await two.image(sha256: Samples.sha256(1)) == inserted.record)
                }
            }
        }
    }

    @Test("a later build applies only the migrations the database lacks", arguments: TestBackend.allCases)
    func migrationsUpgradeInSteps(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let firstOnly = Array(Migrations.all.prefix(1))
            let before = try await store.withMigratedCatalog(migrations: firstOnly) { try await $0.appliedMigrations() }
            #expect(before.map(\.version) == [1])
            let after = try await store.withMigratedCatalog { try await $0.appliedMigrations() }
            #expect(after.map(\.version) == Migrations.all.map(\.version))
            #expect(after.first == before.first, "version 1 must not be applied again")
        }
    }

    /// A database deployed before the other formats: its rows, labels and embeddings stay, and a
    /// HEIC is accepted once the widened check is in, by a connection opened before or after.
    @Test("the format check widens on a deployed database without touching its rows", arguments: TestBackend.allCases)
    func formatCheckWidensInPlace(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let deployed = Migrations.all.filter { $0.name != "allow_more_image_formats" }
            try await store.withConnected(migrations: deployed) { old in
                try await old.migrate()
                let record = Samples.image(1)
                _ = try await old.insertImage(record)
                try await old.upsertPrediction(Samples.prediction(1))
                try await old.upsertEmbedding(Samples.embedding(1, dims: 4))
                var heic = Samples.image(2)
                heic.format = "heif"
                try await expectConstraint("images_format_known") { _ = try await old.insertImage(heic) }

                try await store.withMigratedCatalog { upgraded in
                    _ = try await upgraded.insertImage(heic)
                    #expect(try await upgraded.image(sha256: Samples.sha256(1))?.format == record.format)
                    #expect(try await upgraded.imageCount() == 2)
                    #expect(try await upgraded.appliedMigrations().map(\.version) == Migrations.all.map(\.version))
                }
                var gif = Samples.image(3)
                gif.format = "gif"
                _ = try await old.insertImage(gif)  // the connection opened before the migration sees it too
                #expect(try await old.imageCount() == 3)
            }
        }
    }

    @Test("a migration that fails rolls back the whole run and names itself", arguments: TestBackend.allCases)
    func failingMigrationRollsBack(backend: TestBackend) async throws {
        let broken = Migration(
            version: 1000, name: "broken",
            sqlite: ["CREATE TABLE half_done (x INTEGER)", "THIS IS NOT SQL"],
            postgres: ["CREATE TABLE half_done (x integer)", "THIS IS NOT SQL"])
        try await backend.withStore { store in
            let failed = try await store.withConnected(migrations: Migrations.all + [broken]) { catalog in
                let error = await #expect(throws: CatalogError.self) { try await catalog.migrate() }
                guard case .migrationFailed(1000, "broken", _)? = error else {
                    Issue.record("expected migrationFailed(1000, broken), got \(String(describing: error))")
                    return false
                }
                // Nothing of the run survived: not the earlier migrations of the same run, not half_done.
                let applied = try await catalog.appliedMigrations()
                #expect(applied.isEmpty)
                return true
            }
            guard failed else { return }

            let fixed = Migration(
                version: 1000, name: "broken", sqlite: ["CREATE TABLE half_done (x INTEGER)"],
                postgres: ["CREATE TABLE half_done (x integer)"])
            let applied = try await store.withMigratedCatalog(migrations: Migrations.all + [fixed]) {
                try await $0.appliedMigrations()
            }
            #expect(applied.map(\.version) == Migrations.all.map(\.version) + [1000])
        }
    }

    @Test("a database whose migrations differ from the code's is refused", arguments: TestBackend.allCases)
    func migrationDriftIsRefused(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await store.withMigratedCatalog { _ in }

            var renamed = Migrations.all
            renamed[0] = Migration(version: 1, name: "images_v2", sqlite: [], postgres: [])
            try await store.withConnected(migrations: renamed) { renamedCatalog in
                await #expect(throws: CatalogError.migrationFailed(
                    version: 1, name: "images_v2",
                    reason: "the database applied version 1 as 'create_images'; released migrations must keep their number and name"
                )) { try await renamedCatalog.migrate() }
            }

            let newest = Migrations.all.last!.version
            try await store.withConnected(migrations: Array(Migrations.all.prefix(1))) { older in
                await #expect(throws: CatalogError.schemaNewerThanCode(databaseVersion: newest, knownVersion: 1)) {
                    try await older.migrate()
                }
            }
        }
    }

    // MARK: Lifecycle

    @Test("a closed catalog says so", arguments: TestBackend.allCases)
    func useAfterClose(backend: TestBackend) async throws {
        try await backend.withStore { store in
            try await store.withConnected { catalog in
                try await catalog.migrate()
                try await catalog.close()
                await #expect(throws: CatalogError.closed) { _ = try await catalog.imageCount() }
                await #expect(throws: CatalogError.closed) { _ = try await catalog.insertImage(Samples.image(1)) }
                await #expect(throws: Never.self, "closing twice is harmless") { try await catalog.close() }
            }
        }
    }

    /// A catalog kept past its scope (its pool stopped, its file closed) refuses work instead of
    /// hanging on a pool that no longer runs.
    @Test("a catalog used after its scope ends says it is closed", arguments: TestBackend.allCases)
    func useAfterScope(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let escaped = try await store.withMigratedCatalog { $0 }
            await #expect(throws: CatalogError.closed) { _ = try await escaped.imageCount() }
        }
    }
}
