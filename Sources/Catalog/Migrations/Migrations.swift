/// The ordered list every Lenscale database is migrated to.
///
/// Append only: a new feature adds its migrations at the end with the next versions (each in its
/// own `Migration+Name.swift`); released entries are never edited, reordered or removed.
public enum Migrations {
    public static let all: [Migration] = [
        .createImages,
        .createPredictions,
        .createEmbeddings,
        .createAPIKeys,
        .createJobs,
        .createBatches,
        .createEvents,
        .createWebhooks,
        .createModeration,
        .allowMoreImageFormats,
        .addImagesAnimated,
    ]
}
