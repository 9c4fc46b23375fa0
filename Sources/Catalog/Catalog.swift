/// The metadata store of images, predictions and embeddings.
///
/// Two implementations with the same behaviour: `SQLiteCatalog`, embedded, for one machine, and
/// `PostgresCatalog` for several ingest workers sharing one database. Callers hold an
/// `any Catalog` from `withCatalog(_:_:)` and never branch on the backend; the contract tests run
/// every expectation against both.
///
/// Every write is atomic, and the content hash (`sha256`) is the identity of an image: inserting
/// the same bytes twice, even from concurrent tasks or processes, yields one row.
public protocol Catalog: Sendable {
    /// Applies the migrations this catalog was opened with that the database lacks, all in one
    /// transaction, serialised across processes; a no-op when the schema is current.
    func migrate() async throws(CatalogError)

    /// The migrations recorded in the database, by version.
    func appliedMigrations() async throws(CatalogError) -> [AppliedMigration]

    /// Stores `image` unless its sha256 is already present. Returns the stored row either way, and
    /// whether this call created it, so a re-ingest gets the original id and time.
    func insertImage(_ image: NewImage) async throws(CatalogError) -> (record: ImageRecord, inserted: Bool)

    func image(sha256: String) async throws(CatalogError) -> ImageRecord?

    /// The images with these ids, in ascending id order; unknown ids are left out, which is what
    /// a search result mapping index hits back to images needs after deletions.
    func images(ids: [Int64]) async throws(CatalogError) -> [ImageRecord]

    func imageCount() async throws(CatalogError) -> Int

    /// Inserts or replaces the prediction for (sha256, model, modelVersion). The image must exist.
    func upsertPrediction(_ prediction: PredictionRecord) async throws(CatalogError)

    func prediction(sha256: String, model: String, modelVersion: String) async throws(CatalogError) -> PredictionRecord?

    /// All predictions for one image, ordered by model and version.
    func predictions(sha256: String) async throws(CatalogError) -> [PredictionRecord]

    /// Inserts or replaces the embedding for (sha256, model). The image must exist.
    func upsertEmbedding(_ embedding: EmbeddingRecord) async throws(CatalogError)

    func embedding(sha256: String, model: String) async throws(CatalogError) -> EmbeddingRecord?

    /// The perceptual hashes (full frame and crops) of up to `limit` images with id > `afterID`,
    /// ascending; pass the last id back to continue.
    /// Keyset paging rather than OFFSET so a rebuild over millions of rows stays linear and
    /// rows inserted during the scan are not skipped or repeated.
    func phashes(afterID: Int64, limit: Int) async throws(CatalogError) -> [(id: Int64, sha256: String, phash: UInt64, crops: [UInt64])]

    /// Up to `limit` embeddings of `model` whose image id is > `afterID`, ascending by image id.
    func embeddings(model: String, afterID: Int64, limit: Int) async throws(CatalogError) -> [(id: Int64, record: EmbeddingRecord)]

    /// Ingest's write: the image and everything computed from it, in one transaction, so a crash
    /// or a rejected row never leaves an image without its predictions and embeddings.
    ///
    /// When the image already exists, its row is kept (and returned with inserted=false) and the
    /// predictions and embeddings are upserted, so re-running ingest with a new model adds to it.
    /// Every prediction and embedding must carry `image.sha256`.
    func record(
        image: NewImage, predictions: [PredictionRecord], embeddings: [EmbeddingRecord]
    ) async throws(CatalogError) -> (record: ImageRecord, inserted: Bool)

    /// Releases connections (and, for PostgreSQL, ends the pool's background task). Later calls
    /// throw `CatalogError.closed`. Calling it twice is harmless.
    func close() async throws(CatalogError)
}
