import Foundation

/// What the index folder holds, so a restart can tell whether the indexes still describe the
/// catalog or must be rebuilt from it.
struct IndexManifest: Codable, Equatable {
    /// The classification model whose embeddings are indexed.
    var model: String
    /// The catalog embedding key the vector index is built from: the model name for raw
    /// embeddings, `<model>/pca<dims>` once `index build --dims` has run.
    var embeddingKey: String
    var dims: Int
    var dtype: String
    /// Images in the catalog when the indexes were saved.
    var images: Int
    /// The PCA file, when vectors are reduced.
    var pcaFile: String?

    static let fileName = "indexes.json"

    static func load(from directory: URL) -> IndexManifest? {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent(fileName)) else { return nil }
        return try? JSONDecoder().decode(IndexManifest.self, from: data)
    }

    func save(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent(Self.fileName), options: .atomic)
    }
}
