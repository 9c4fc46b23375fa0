import PostgresNIO

extension PostgresCatalog {
    public func upsertPrediction(_ prediction: PredictionRecord) async throws(CatalogError) {
        let json = try StoredValues.labelsJSON(prediction.labels)
        let logger = self.logger
        try await withConnection { connection in
            try await Self.upsertPrediction(prediction, labelsJSON: json, on: connection, logger: logger)
        }
    }

    static func upsertPrediction(
        _ prediction: PredictionRecord, labelsJSON: String, on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO predictions (sha256, model, model_version, labels, created_at)
            VALUES (\(prediction.sha256), \(prediction.model), \(prediction.modelVersion), \(labelsJSON)::jsonb,
                    \(PostgresTimestamp(prediction.createdAt)))
            ON CONFLICT (sha256, model, model_version)
            DO UPDATE SET labels = EXCLUDED.labels, created_at = EXCLUDED.created_at
            """, logger: logger)
    }

    public func prediction(sha256: String, model: String, modelVersion: String) async throws(CatalogError) -> PredictionRecord? {
        try await fetch(
            """
            SELECT \(unescaped: PostgresRows.predictionColumns) FROM predictions
            WHERE sha256 = \(sha256) AND model = \(model) AND model_version = \(modelVersion)
            """, PostgresRows.prediction
        ).first
    }

    public func predictions(sha256: String) async throws(CatalogError) -> [PredictionRecord] {
        try await fetch(
            """
            SELECT \(unescaped: PostgresRows.predictionColumns) FROM predictions
            WHERE sha256 = \(sha256) ORDER BY model COLLATE "C", model_version COLLATE "C"
            """, PostgresRows.prediction)
    }
}
