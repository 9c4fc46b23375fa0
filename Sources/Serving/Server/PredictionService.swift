import Catalog
import Classification
import Foundation
import Hashing
import ImageDecoding
import Synchronization

/// The online path: content hash → tier 1 → tier 2 → (single flight) decode → batch → answer.
///
/// A hit never decodes: the only work on bytes is the SHA-256 that names them. Misses for the
/// same content that arrive together are computed once. Fresh answers go to tier 1 at once and
/// to the catalog (tier 2) behind the response.
public final class PredictionService: Sendable {
    public let endpoints: [String: ModelEndpoint]
    /// The model used when a request names none: the first configured.
    public let defaultModel: String
    public let cache: PredictionCache
    public let writeBehind: CatalogWriteBehind
    let catalog: any Catalog
    let flights = SingleFlight<CacheKey, CachedPrediction>()
    let decoding: DecodeGate
    /// The process's decode threads and pixel memory, for a worker in the same process to share.
    public var decodePool: DecodePool { decoding.pool }
    public var decodeBudget: DecodeBudget { decoding.budget }
    let metrics: ServingMetrics
    private let lookups = Atomic<Int>(0)
    private let hits = Atomic<Int>(0)

    /// Where an answer came from.
    public enum Source: String, Sendable {
        case memory, catalog, computed
        var isHit: Bool { self != .computed }
    }

    public init(endpoints: [ModelEndpoint], cache: PredictionCache, writeBehind: CatalogWriteBehind, catalog: any Catalog,
                decodePool: DecodePool, decodeBudget: DecodeBudget, decodeWait: Duration, metrics: ServingMetrics) {
        self.endpoints = Dictionary(uniqueKeysWithValues: endpoints.map { ($0.name, $0) })
        self.defaultModel = endpoints.first?.name ?? ""
        self.cache = cache
        self.writeBehind = writeBehind
        self.catalog = catalog
        self.decoding = DecodeGate(pool: decodePool, budget: decodeBudget, wait: decodeWait)
        self.metrics = metrics
    }

    public func endpoint(named name: String?) throws(APIError) -> ModelEndpoint {
        let name = name ?? defaultModel
        guard let endpoint = endpoints[name] else {
            // 404: the model is a resource this server does not have, like an unknown hash.
            throw APIError(.notFound, code: "unknown_model",
                           message: "this server does not serve '\(name)'; it serves \(endpoints.keys.sorted().joined(separator: ", "))")
        }
        return endpoint
    }

    /// The known prediction for `sha256`, from memory or the catalog, or nil.
    public func lookup(sha256: String, endpoint: ModelEndpoint, embedding: Bool = false) async throws(APIError) -> (CachedPrediction, Source)? {
        let key = endpoint.key(sha256: sha256)
        if let cached = await cache.value(for: key), !embedding || cached.prediction.embedding != nil {
            count(.memory)
            return (cached, .memory)
        }
        let stored: PredictionRecord?
        var vector: [Float]?
        do {
            stored = try await catalog.prediction(sha256: sha256, model: key.model, modelVersion: key.version)
            if stored != nil, embedding { vector = try await catalog.embedding(sha256: sha256, model: key.model)?.floats }
        } catch {
            throw APIError.unavailable("catalog", code: "catalog_unavailable", detail: "\(error)")
        }
        guard let stored else {
            count(nil)
            return nil
        }
        let prediction = Prediction(
            sha256: sha256, model: stored.model, modelVersion: stored.modelVersion,
            labels: stored.labels.map { Label(index: $0.index, name: $0.name, score: $0.score) }, embedding: vector)
        let cached = CachedPrediction(prediction)
        await cache.insert(cached, for: key)
        count(.catalog)
        return (cached, .catalog)
    }

    /// Decodes and classifies bytes known to be a miss, joining a computation of the same
    /// content already in flight.
    public func compute(_ bytes: [UInt8], sha256: String, endpoint: ModelEndpoint) async throws -> CachedPrediction {
        try await flights.run(endpoint.key(sha256: sha256)) { [self] in
            try await decodeAndClassify(bytes, sha256: sha256, endpoint: endpoint)
        }
    }

    private func decodeAndClassify(_ bytes: [UInt8], sha256: String, endpoint: ModelEndpoint) async throws -> CachedPrediction {
        let classifier = endpoint.classifier
        let header: ImageHeader
        do {
            header = try ImageHeader.read(bytes, limits: classifier.decoder.limits)
        } catch {
            throw ClassificationError.decode(error)
        }
        let cost = ImageDecoder.peakBytes(for: header, minimumShorterSide: classifier.preprocessing.shorterSide)
        let started = ContinuousClock.now
        let (prepared, codes) = try await decoding.run(reserving: cost) { () throws(ClassificationError) in
            var prepared = try classifier.prepare(bytes, sha256: sha256, keepImage: true)
            let codes = PerceptualCodes(image: prepared.image!)
            prepared.image = nil
            return (prepared, codes)
        }
        metrics.decode(model: endpoint.name, duration: ContinuousClock.now - started)
        try Task.checkCancellation()
        let prediction = try await endpoint.batcher.classify(prepared)
        let cached = CachedPrediction(prediction)
        await cache.insert(cached, for: endpoint.key(sha256: sha256))
        await writeBehind.enqueue(CatalogWriteBehind.Entry(
            bytes: bytes,
            header: .init(format: header.format.rawValue, width: header.displayWidth, height: header.displayHeight,
                          animated: header.isAnimated),
            codes: codes, prediction: prediction))
        return cached
    }

    /// Counts a lookup: `nil` is a miss.
    private func count(_ source: Source?) {
        let total = lookups.add(1, ordering: .relaxed).newValue
        let hitCount = source == nil ? hits.load(ordering: .relaxed) : hits.add(1, ordering: .relaxed).newValue
        metrics.cacheLookup(source?.rawValue ?? "miss")
        metrics.cacheRatio(hits: hitCount, lookups: total)
    }

    /// Hits and lookups so far, for tests and the benchmark's report.
    public var hitStatistics: (hits: Int, lookups: Int) { (hits.load(ordering: .relaxed), lookups.load(ordering: .relaxed)) }
}
