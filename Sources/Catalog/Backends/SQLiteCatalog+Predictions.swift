import GRDB

extension SQLiteCatalog {
    public func upsertPrediction(_ prediction: PredictionRecord) async throws(CatalogError) {
        let json = try StoredValues.labelsJSON(prediction.labels)
        try await write { db in try Self.upsertPrediction(prediction, labelsJSON: json, in: db) }
    }

    static func upsertPrediction(_ prediction: PredictionRecord, labelsJSON: String, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO predictions (sha256, model, model_version, labels, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (sha256, model, model_version) DO UPDATE SET labels = excluded.labels, created_at = excluded.created_at
                """,
            arguments: [
                prediction.sha256, prediction.model, prediction.modelVersion, labelsJSON,
                CatalogTime.microseconds(prediction.createdAt),
            ])
    }

    public func prediction(sha256: String, model: String, modelVersion: String) async throws(CatalogError) -> PredictionRecord? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT \(SQLiteRows.predictionColumns) FROM predictions
                    WHERE sha256 = ? AND model = ? AND model_version = ?
                    """,
                arguments: [sha256, model, modelVersion]
            ).map { try SQLiteRows.prediction($0) }
        }
    }

    public func predictions(sha256: String) async throws(CatalogError) -> [PredictionRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(SQLiteRows.predictionColumns) FROM predictions WHERE sha256 = ? ORDER BY model, model_version",
                arguments: [sha256]
            ).map { try SQLiteRows.prediction($0) }
        }
    }
}
