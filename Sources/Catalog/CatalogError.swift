/// Everything a catalog operation can fail with; each message says what to do about it.
///
/// One typed error for both backends so callers (the CLI, the ingest pipeline) can react to
/// "the database is down" or "this record is invalid" without knowing SQLite or PostgreSQL.
public enum CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The location string could not be understood.
    case invalidLocation(String, reason: String)
    /// PostgreSQL refused or never answered the connection. `url` has its password removed.
    case unreachable(url: String, reason: String)
    /// A migration could not be applied; nothing of the run that tried it was kept.
    case migrationFailed(version: Int, name: String, reason: String)
    /// The database was migrated by a newer build than this one.
    case schemaNewerThanCode(databaseVersion: Int, knownVersion: Int)
    /// The database rejected a write; `constraint` names the rule (for example
    /// `embeddings_vector_length`), empty when the backend did not say.
    case constraint(constraint: String, reason: String)
    /// A record could not be turned into a row (for example a label score that is NaN).
    case invalidRecord(String)
    /// A stored row does not decode; someone wrote it outside this code or the file is damaged.
    case corruptRow(table: String, reason: String)
    /// The catalog was used after `close()`.
    case closed
    /// The task was cancelled while waiting on the database; nothing of the interrupted write was kept.
    case cancelled
    /// The database did not answer within the call's deadline (or the server's own statement or
    /// lock timeout fired); the connection was closed or the statement cancelled, and the call
    /// may be retried.
    case timedOut(seconds: Double)
    /// The database's disk is full (SQLite's SQLITE_FULL, PostgreSQL's 53100): nothing of the
    /// write was kept, and it succeeds once space is freed.
    case storageFull(String)
    /// Any other database failure, with the backend's own words.
    case database(String)

    public var description: String {
        switch self {
        case .invalidLocation(let location, let reason):
            "cannot use catalog location '\(location)': \(reason). Give a SQLite file path, sqlite:///absolute/path, "
                + "or postgres://user:password@host:5432/database"
        case .unreachable(let url, let reason):
            "cannot connect to PostgreSQL at \(url): \(reason). Start a local server with `sudo tools/postgres.sh start` "
                + "(it creates the role and databases lenscale and lenscale_test), or check the host, port, user, "
                + "password and database in the URL"
        case .migrationFailed(let version, let name, let reason):
            "migration \(version) '\(name)' failed: \(reason). The database was left as it was before migrate(); "
                + "fix the cause and run it again"
        case .schemaNewerThanCode(let databaseVersion, let knownVersion):
            "the database schema is at version \(databaseVersion) but this build knows migrations only up to "
                + "\(knownVersion); upgrade lenscale before using this database"
        case .constraint(let constraint, let reason):
            constraint.isEmpty
                ? "the database rejected the write: \(reason)"
                : "the database rejected the write (\(constraint)): \(reason). \(CatalogError.hint(forConstraint: constraint))"
        case .invalidRecord(let reason):
            "invalid record: \(reason)"
        case .corruptRow(let table, let reason):
            "a row in '\(table)' cannot be read: \(reason). It was written outside lenscale or the database is damaged; "
                + "delete or repair that row"
        case .closed:
            "the catalog was used after close(); open a new one"
        case .cancelled:
            "the catalog operation was cancelled; nothing of an interrupted write was kept"
        case .timedOut(let seconds) where seconds == 0:
            "the database ended the statement at its statement or lock timeout (a slow query, or a lock held too long); "
                + "nothing of it was kept and it may be retried"
        case .timedOut(let seconds):
            "the database did not answer within \(seconds) s (a stalled or restarting server); "
                + "the call was abandoned without effect and may be retried"
        case .storageFull(let reason):
            "the database's disk is full (\(reason)); nothing of the write was kept: free space, then retry"
        case .database(let reason):
            "database error: \(reason)"
        }
    }

    /// Whether trying the same call again later can succeed: the server was away, slow or
    /// restarting, as opposed to a request it will always refuse.
    public var isTransient: Bool {
        switch self {
        case .unreachable, .timedOut, .storageFull: true
        default: false
        }
    }

    /// What to change for the rules the schema names, so the message is actionable without
    /// reading the migrations.
    static func hint(forConstraint name: String) -> String {
        switch name {
        case "images_sha256_hex": "sha256 must be 64 lowercase hex digits."
        case "images_format_known": "format must be one of jpeg, png, webp, heif, avif, jxl, gif, tiff, bmp."
        case "images_size_positive": "width and height must be positive."
        case "images_bytes_nonnegative": "bytes must not be negative."
        case "embeddings_vector_length": "vector must hold dims × 4 bytes for float32 or dims × 2 for float16."
        case "embeddings_dims_positive": "dims must be positive."
        case "embeddings_dtype_known": "dtype must be float32 or float16."
        case "predictions_labels_array": "labels must be a JSON array."
        case "predictions_image", "embeddings_image": "store the image first, or write all three with record(image:predictions:embeddings:)."
        default: "Check the record against the table's rules."
        }
    }
}
