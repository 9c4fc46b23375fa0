extension Migration {
    /// Widens `images_format_known` to the formats decoded since HEIC, AVIF, JPEG XL, GIF, TIFF
    /// and BMP arrived (the values are `ImageFormat`'s raw values).
    ///
    /// SQLite cannot alter a CHECK, and rebuilding `images` would run its foreign keys' ON DELETE
    /// CASCADE over every label and embedding. SQLite documents a narrower procedure for exactly
    /// this change, which leaves the stored rows as they are: rewrite the constraint's text in
    /// `sqlite_schema` and move the schema cookie so every connection reloads the schema (checked
    /// on SQLite 3.40 with a second connection open); all in the migration's transaction. Widening a CHECK cannot make an existing row invalid.
    static let allowMoreImageFormats = Migration(
        version: 21,
        name: "allow_more_image_formats",
        sqlite: [
            "PRAGMA writable_schema = ON",
            """
            UPDATE sqlite_schema
            SET sql = replace(sql, 'CHECK (format IN (''jpeg'', ''png'', ''webp''))', 'CHECK (format IN (\(formats.replacingOccurrences(of: "'", with: "''"))))')
            WHERE type = 'table' AND name = 'images'
            """,
            // A schema change of its own moves the schema cookie, so every other connection
            // reloads the schema; RESET reloads this one's.
            "CREATE TABLE schema_cookie_bump (x INTEGER)",
            "DROP TABLE schema_cookie_bump",
            "PRAGMA writable_schema = RESET",
        ],
        postgres: [
            "ALTER TABLE images DROP CONSTRAINT images_format_known",
            "ALTER TABLE images ADD CONSTRAINT images_format_known CHECK (format IN (\(formats)))",
        ]
    )

    private static let formats = "'jpeg', 'png', 'webp', 'heif', 'avif', 'jxl', 'gif', 'tiff', 'bmp'"
}
