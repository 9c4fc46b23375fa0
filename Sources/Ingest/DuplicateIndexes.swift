import Catalog
import Foundation
import Hashing
import SimilaritySearch

/// The near-duplicate (perceptual hash, Hamming) and similar (embedding, cosine) indexes of one
/// workspace, kept in memory, persisted in the index folder, and rebuilt from the catalog
/// whenever they are missing or no longer match it.
///
/// The catalog is the source of truth: the index files are a cache of it. An actor, because
/// FAISS indexes allow concurrent reads but not a write during a read.
public actor DuplicateIndexes {
    public let directory: URL
    public let model: String
    let catalog: any Catalog
    var manifest: IndexManifest
    /// One full-frame perceptual hash per image, keyed by image id.
    var hamming: HammingIndex
    /// Five crop hashes per image, keyed by `id << 3 | crop`; see `PerceptualCodes`.
    var crops: HammingIndex
    var vectors: VectorIndex
    var pca: PCA?
    var dirty = false

    static let hammingFile = "phash.index"
    static let cropsFile = "phash-crops.index"
    static let vectorFile = "vectors.index"
    static let pageSize = 5_000

    init(directory: URL, model: String, catalog: any Catalog, manifest: IndexManifest,
         hamming: HammingIndex, crops: HammingIndex, vectors: VectorIndex, pca: PCA?) {
        self.directory = directory
        self.model = model
        self.catalog = catalog
        self.manifest = manifest
        self.hamming = hamming
        self.crops = crops
        self.vectors = vectors
        self.pca = pca
    }

    /// Loads the saved indexes, or rebuilds them from the catalog when they are missing, were
    /// built for another model, or count a different number of images than the catalog.
    public static func open(directory: URL, catalog: any Catalog, model: String, embeddingDims: Int) async throws(IngestError) -> DuplicateIndexes {
        let images: Int
        do { images = try await catalog.imageCount() } catch { throw .catalog(error) }
        let saved = IndexManifest.load(from: directory).flatMap { $0.model == model ? $0 : nil }
        if let saved, saved.images == images,
           let hamming = try? HammingIndex.load(from: directory.appendingPathComponent(hammingFile)),
           let crops = try? HammingIndex.load(from: directory.appendingPathComponent(cropsFile)),
           let vectors = try? VectorIndex.load(from: directory.appendingPathComponent(vectorFile)),
           hamming.count == images, crops.count == images * PerceptualCodes.cropCount, vectors.count == images {
            let pca = saved.pcaFile.flatMap { try? PCA.load(from: directory.appendingPathComponent($0)) }
            if saved.pcaFile == nil || pca != nil {
                return DuplicateIndexes(directory: directory, model: model, catalog: catalog, manifest: saved,
                                        hamming: hamming, crops: crops, vectors: vectors, pca: pca)
            }
        }
        // Keep a PCA chosen earlier: rebuilding the indexes must not silently undo `index build --dims`.
        var manifest = IndexManifest(model: model, embeddingKey: model, dims: embeddingDims, dtype: "float32", images: 0, pcaFile: nil)
        var pca: PCA?
        if let saved, let file = saved.pcaFile,
           let loaded = try? PCA.load(from: directory.appendingPathComponent(file)) {
            manifest = saved
            pca = loaded
        }
        let indexes: DuplicateIndexes
        do {
            indexes = DuplicateIndexes(directory: directory, model: model, catalog: catalog, manifest: manifest,
                                       hamming: HammingIndex(), crops: HammingIndex(),
                                       vectors: try VectorIndex(dimension: manifest.dims, kind: .flat), pca: pca)
        } catch {
            throw .search(error)
        }
        try await indexes.rebuild()
        return indexes
    }

    public var imageCount: Int { hamming.count }

    /// The reduced vector to store beside a raw embedding, once `index build --dims` chose one.
    public func reducedEmbedding(_ raw: [Float]) throws(IngestError) -> (model: String, vector: [Float], dtype: EmbeddingDType)? {
        guard let pca else { return nil }
        do {
            return (manifest.embeddingKey, try pca.apply(raw), EmbeddingDType(rawValue: manifest.dtype) ?? .float32)
        } catch {
            throw .search(error)
        }
    }

    /// Adds a newly catalogued image.
    public func add(id: Int64, codes: PerceptualCodes, embedding raw: [Float]) throws(IngestError) {
        do {
            try hamming.add(ids: [id], codes: [codes.full.value])
            try crops.add(ids: Self.cropIDs(id), codes: codes.crops.map(\.value))
            try vectors.add(ids: [id], vectors: try pca?.apply(raw) ?? raw)
        } catch {
            throw .search(error)
        }
        manifest.images += 1
        dirty = true
    }

    /// Catalogued images within `maxDistance` bits of the query, by the smallest distance between
    /// one side's full-frame hash and the other side's full frame or crops (see `PerceptualCodes`),
    /// nearest first.
    public func near(_ codes: PerceptualCodes, maxDistance: Int) throws(IngestError) -> [(id: Int64, distance: Int)] {
        var best: [Int64: Int] = [:]
        func keep(_ id: Int64, _ distance: Int) { best[id] = min(best[id] ?? .max, distance) }
        do {
            for hit in try hamming.search(code: codes.full.value, maxDistance: maxDistance) { keep(hit.id, hit.distance) }
            for hit in try crops.search(code: codes.full.value, maxDistance: maxDistance) { keep(hit.id >> 3, hit.distance) }
            for crop in codes.crops {
                for hit in try hamming.search(code: crop.value, maxDistance: maxDistance) { keep(hit.id, hit.distance) }
            }
        } catch {
            throw .search(error)
        }
        return best.map { ($0.key, $0.value) }.sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }
    }

    /// Crop `k` of image `id` is stored under `id << 3 | k`, keeping ids unique in the crop index.
    static func cropIDs(_ id: Int64) -> [Int64] {
        (0..<Int64(PerceptualCodes.cropCount)).map { id << 3 | $0 }
    }

    /// The `k` catalogued images whose embeddings are closest in cosine to `raw` (a model
    /// embedding; reduced here when the index holds reduced vectors).
    public func similar(_ raw: [Float], k: Int) throws(IngestError) -> [(id: Int64, score: Float)] {
        do { return try vectors.search(vector: try pca?.apply(raw) ?? raw, k: k) } catch { throw .search(error) }
    }

    /// Writes the indexes and their manifest, if anything changed since the last save.
    public func save() throws(IngestError) {
        guard dirty else { return }
        do {
            try hamming.save(to: directory.appendingPathComponent(Self.hammingFile))
            try crops.save(to: directory.appendingPathComponent(Self.cropsFile))
            try vectors.save(to: directory.appendingPathComponent(Self.vectorFile))
            try manifest.save(to: directory)
        } catch let error as SearchError {
            throw .search(error)
        } catch {
            throw .workspace("cannot write the indexes to \(directory.path): \(error.localizedDescription)")
        }
        dirty = false
    }

    /// Rebuilds both indexes from the catalog, page by page.
    public func rebuild() async throws(IngestError) {
        do {
            let images = try await catalog.imageCount()
            let newHamming = HammingIndex(), newCrops = HammingIndex()
            var after: Int64 = 0
            while true {
                let page = try await catalog.phashes(afterID: after, limit: Self.pageSize)
                guard let last = page.last else { break }
                try newHamming.add(ids: page.map(\.id), codes: page.map(\.phash))
                try newCrops.add(ids: page.flatMap { Self.cropIDs($0.id) }, codes: page.flatMap(\.crops))
                after = last.id
            }
            // An approximate (IVF) index trains on the vectors it is given first, so they are
            // gathered before adding; 1M × 512 floats is 2 GB, fine for a rebuild.
            var ids: [Int64] = []
            var matrix: [Float] = []
            after = 0
            while true {
                let page = try await catalog.embeddings(model: manifest.embeddingKey, afterID: after, limit: Self.pageSize)
                guard let last = page.last else { break }
                ids += page.map(\.id)
                for row in page { matrix += row.record.floats }
                after = last.id
            }
            let newVectors = try VectorIndex(dimension: manifest.dims, kind: .automatic(count: ids.count, dimension: manifest.dims))
            try newVectors.add(ids: ids, vectors: matrix)
            hamming = newHamming
            crops = newCrops
            vectors = newVectors
            manifest.images = newHamming.count
            dirty = true
            try save()
        } catch let error as CatalogError {
            throw .catalog(error)
        } catch let error as SearchError {
            throw .search(error)
        } catch let error as IngestError {
            throw error
        } catch {
            throw .workspace("\(error)")
        }
    }
}
