/// Decides which migrations a database still needs, the same way for both backends.
///
/// Pure and synchronous so the rules (order, drift, newer schema) are tested once, without a
/// database, and each backend only supplies the lock, the transaction and the SQL.
struct MigrationPlan: Sendable, Equatable {
    /// To apply, in version order.
    let pending: [Migration]

    init(known: [Migration], applied: [AppliedMigration]) throws(CatalogError) {
        try Self.checkOrder(known)
        let knownByVersion = Dictionary(uniqueKeysWithValues: known.map { ($0.version, $0) })
        let newestKnown = known.last?.version ?? 0
        for row in applied {
            guard let migration = knownByVersion[row.version] else {
                if row.version > newestKnown {
                    throw .schemaNewerThanCode(databaseVersion: applied.map(\.version).max() ?? row.version, knownVersion: newestKnown)
                }
                throw .migrationFailed(
                    version: row.version, name: row.name,
                    reason: "the database applied it but this build has no migration \(row.version); "
                        + "the migration list was edited after release")
            }
            guard migration.name == row.name else {
                throw .migrationFailed(
                    version: row.version, name: migration.name,
                    reason: "the database applied version \(row.version) as '\(row.name)'; "
                        + "released migrations must keep their number and name")
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        pending = known.filter { !appliedVersions.contains($0.version) }
    }

    private static func checkOrder(_ known: [Migration]) throws(CatalogError) {
        var previous = 0
        for migration in known {
            guard migration.version > previous else {
                throw .migrationFailed(
                    version: migration.version, name: migration.name,
                    reason: "versions must be positive and strictly increasing; it follows version \(previous)")
            }
            guard !migration.name.isEmpty else {
                throw .migrationFailed(version: migration.version, name: migration.name, reason: "every migration needs a name")
            }
            previous = migration.version
        }
    }
}
