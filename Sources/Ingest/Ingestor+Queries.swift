import Catalog
import Classification
import Foundation
import Hashing

/// An image to look up: a file on disk, or the SHA-256 of a catalogued image.
public struct QueryImage: Sendable {
    public var sha256: String
    public var codes: PerceptualCodes
    /// The model embedding, raw (not reduced).
    public var embedding: [Float]
    /// True when the query's bytes are in the catalog.
    public var catalogued: Bool
    /// True for a file argument, false for a SHA-256 argument (which names the catalogued image itself).
    public var fromFile: Bool
}

extension Ingestor {
    /// Resolves a command-line argument: an existing file is read and analysed; otherwise a
    /// 64-digit hex string is looked up in the catalog.
    public func resolve(_ argument: String) async throws(IngestError) -> QueryImage {
        if FileManager.default.fileExists(atPath: argument) {
            return try await analyse(path: argument)
        }
        guard let hash = ContentHash(hex: argument) else { throw .invalidQuery(argument) }
        let sha256 = hash.hex
        do {
            guard let record = try await workspace.catalog.image(sha256: sha256) else { throw IngestError.unknownHash(sha256) }
            guard let embedding = try await workspace.catalog.embedding(sha256: sha256, model: classifier.model.name) else {
                throw IngestError.workspace("\(sha256) has no \(classifier.model.name) embedding: re-ingest it with this model")
            }
            let codes = PerceptualCodes(full: PerceptualHash(record.phash), crops: record.phashCrops.map(PerceptualHash.init))
            return QueryImage(sha256: sha256, codes: codes, embedding: embedding.floats, catalogued: true, fromFile: false)
        } catch let error as IngestError {
            throw error
        } catch let error as CatalogError {
            throw .catalog(error)
        } catch {
            throw .workspace("\(error)")
        }
    }

    /// Hashes, decodes and embeds a file without storing anything.
    func analyse(path: String) async throws(IngestError) -> QueryImage {
        do throws(ClassificationError) {
            let bytes = try FileReader.read(path, maxBytes: classifier.decoder.limits.maxBytes)
            var prepared = try classifier.prepare(bytes, keepImage: true)
            let codes = PerceptualCodes(image: prepared.image!)
            prepared.image = nil
            let prediction = try await pipeline.classify([prepared])[0]
            let known = (try? await workspace.catalog.image(sha256: prepared.sha256)) != nil
            return QueryImage(sha256: prepared.sha256, codes: codes, embedding: prediction.embedding ?? [], catalogued: known, fromFile: true)
        } catch {
            throw .classification(error)
        }
    }

    /// The three tiers for `query`: exact copies, near duplicates within the Hamming threshold,
    /// and similar images above the cosine threshold, each image in one tier only.
    public func duplicates(of query: QueryImage, thresholds: DuplicateThresholds, limit: Int = 100) async throws(IngestError) -> DuplicateReport {
        var report = DuplicateReport(sha256: query.sha256, exact: [], near: [], similar: [])
        // A file whose bytes are catalogued is an exact copy of that image; a hash query is the
        // image itself. Either way the image is left out of the other tiers.
        if query.catalogued && query.fromFile { report.exact = [query.sha256] }
        var excluded: Set<String> = [query.sha256]
        let near = try await indexes.near(query.codes, maxDistance: thresholds.nearDistance)
        let nearHashes = try await hashes(of: near.map(\.id))
        for (id, distance) in near {
            guard let sha256 = nearHashes[id], !excluded.contains(sha256) else { continue }
            report.near.append(.init(sha256: sha256, distance: distance))
            excluded.insert(sha256)
            if report.near.count == limit { break }
        }
        let similar = try await indexes.similar(query.embedding, k: limit + excluded.count)
        let similarHashes = try await hashes(of: similar.map(\.id))
        for (id, score) in similar where score >= thresholds.similarScore {
            guard let sha256 = similarHashes[id], !excluded.contains(sha256) else { continue }
            report.similar.append(.init(sha256: sha256, score: score))
            if report.similar.count == limit { break }
        }
        return report
    }

    /// The `k` nearest catalogued images by embedding cosine, whatever their score.
    public func similar(to query: QueryImage, k: Int) async throws(IngestError) -> [DuplicateReport.Similar] {
        let found = try await indexes.similar(query.embedding, k: k + 1)
        let names = try await hashes(of: found.map(\.id))
        return Array(found.compactMap { id, score in
            names[id].flatMap { $0 == query.sha256 ? nil : DuplicateReport.Similar(sha256: $0, score: score) }
        }.prefix(k))
    }

    func hashes(of ids: [Int64]) async throws(IngestError) -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        do {
            return Dictionary(uniqueKeysWithValues: try await workspace.catalog.images(ids: ids).map { ($0.id, $0.sha256) })
        } catch {
            throw .catalog(error)
        }
    }
}
