import Catalog
import Hashing
import Ingest

/// Keeps one process's duplicate indexes in step with a catalog that other workers write to.
///
/// Each worker holds its own in-memory `DuplicateIndexes`; before a lookup it adds the images
/// catalogued since it last looked (by any worker, itself included). It rescans a window below
/// its high-water mark, because PostgreSQL identity values can commit out of order: an id
/// drawn earlier by a slower transaction would otherwise be skipped for good.
public actor IndexFollower {
    public let indexes: DuplicateIndexes
    let catalog: any Catalog
    let model: String
    var known: Set<Int64> = []
    var highWater: Int64 = 0
    static let window: Int64 = 2_000
    static let pageSize = 2_000

    /// Opens over indexes already built from the catalog; reads the ids they hold.
    public init(indexes: DuplicateIndexes, catalog: any Catalog, model: String) async throws(IngestError) {
        self.indexes = indexes
        self.catalog = catalog
        self.model = model
        var after: Int64 = 0
        do throws(CatalogError) {
            while true {
                let page = try await catalog.phashes(afterID: after, limit: Self.pageSize)
                guard let last = page.last else { break }
                for row in page { known.insert(row.id) }
                after = last.id
            }
        } catch {
            throw .catalog(error)
        }
        highWater = after
    }

    /// Adds the images catalogued since the last call.
    public func catchUp() async throws(IngestError) {
        var after = max(0, highWater - Self.window)
        do {
            while true {
                let page = try await catalog.phashes(afterID: after, limit: Self.pageSize)
                guard let last = page.last else { break }
                let fresh = page.filter { !known.contains($0.id) }
                if let first = fresh.first {
                    let vectors = try await catalog.embeddings(model: model, afterID: first.id - 1, limit: Self.pageSize)
                    let byID = Dictionary(vectors.map { ($0.id, $0.record) }, uniquingKeysWith: { a, _ in a })
                    for row in fresh {
                        known.insert(row.id)
                        guard let embedding = byID[row.id] else { continue }
                        let codes = PerceptualCodes(full: PerceptualHash(row.phash), crops: row.crops.map(PerceptualHash.init))
                        try await indexes.add(id: row.id, codes: codes, embedding: embedding.floats)
                    }
                }
                highWater = max(highWater, last.id)
                after = last.id
                if page.count < Self.pageSize { break }
            }
        } catch let error as IngestError {
            throw error
        } catch let error as CatalogError {
            throw .catalog(error)
        } catch {
            throw .workspace("\(error)")
        }
    }

    /// Catalogued images within `maxDistance` of `codes`, other than `id` itself, nearest first.
    public func near(_ codes: PerceptualCodes, excluding id: Int64, maxDistance: Int) async throws(IngestError) -> [(id: Int64, distance: Int)] {
        try await indexes.near(codes, maxDistance: maxDistance).filter { $0.id != id }
    }
}
