extension Migration {
    /// Whether an image has more frames than the one decoded (GIF, animated WebP and JPEG XL,
    /// HEIF sequences): its labels describe the first frame only, which a reader of the
    /// catalog needs to know. Rows written before this are stills, as every decoded format was.
    static let addImagesAnimated = Migration(
        version: 22,
        name: "add_images_animated",
        sqlite: ["ALTER TABLE images ADD COLUMN animated INTEGER NOT NULL DEFAULT 0 CHECK (animated IN (0, 1))"],
        postgres: ["ALTER TABLE images ADD COLUMN animated boolean NOT NULL DEFAULT false"]
    )
}
