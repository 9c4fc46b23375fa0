import Catalog
import Classification
import Foundation
import ImageDecoding
import Inference
import Ingest
import Keys
import Logging

/// Everything a running server holds: the workspace, the loaded models and their batchers, the
/// caches, the key store, the metrics and the readiness flag.
///
/// Built once by `open`, then handed to `LenscaleServer.application`; tests build one over a
/// temporary data folder and keep it to look inside (batch sizes, cache counts).
public struct ServingRuntime: Sendable {
    public let configuration: ServeConfiguration
    public let workspace: Workspace
    public let service: PredictionService
    public let keys: any APIKeyStore
    public let metrics: ServingMetrics
    public let readiness: Readiness
    public let logger: Logger
    /// Upload bytes held at once, across all requests.
    public let bodyBudget: BodyBudget
    /// Open connections of the main listener, capped at `limits.max_connections`.
    public let connections: ConnectionCap
    /// The time every deadline of the server is measured on; tests pass a `ManualClock`.
    public let clock: any Clock<Duration>

    /// Loads every configured model (checksums verified) over `workspace`, which the caller has
    /// opened at `configuration.workspaceLocation` and keeps open while the runtime is used.
    /// Fails with a message naming the model or store at fault.
    public static func open(
        _ configuration: ServeConfiguration, workspace: Workspace, manifest: ModelManifest, inference: ONNXRuntime,
        metrics: ServingMetrics = ServingMetrics(),
        logger: Logger = Logger(label: "lenscale.serve"), clock: any Clock<Duration> = ContinuousClock()
    ) async throws -> ServingRuntime {
        try configuration.validate()
        let cores = Cores.available
        let limits = DecodeLimits(maxBytes: configuration.limits.maxBodyBytes, maxPixels: configuration.limits.maxPixels)
        var endpoints: [ModelEndpoint] = []
        for model in configuration.models {
            let classifier = try Classifier.load(named: model.name, manifest: manifest, inference: inference, threads: model.threads ?? cores, limits: limits)
            endpoints.append(ModelEndpoint(classifier: classifier, batcher: DynamicBatcher(classifier: classifier, settings: model.batcher, metrics: metrics)))
        }
        let keyStore = try APIKeyStores.open(on: workspace.catalog)
        let service = PredictionService(
            endpoints: endpoints, cache: PredictionCache(capacityBytes: configuration.cache.memoryBytes),
            writeBehind: CatalogWriteBehind(catalog: workspace.catalog, store: workspace.store,
                                            capacityBytes: configuration.cache.writeBehindBytes, logger: logger),
            catalog: workspace.catalog,
            decodePool: DecodePool(threads: configuration.limits.decodeConcurrency ?? cores, maxQueued: configuration.limits.decodeQueue),
            decodeBudget: DecodeBudget(capacity: configuration.limits.decodeBudgetBytes),
            decodeWait: .milliseconds(configuration.limits.decodeWaitMilliseconds), metrics: metrics)
        let keys = ConfiguredKeys(configured: configuration.auth.keys, store: keyStore)
        return ServingRuntime(configuration: configuration, workspace: workspace, service: service, keys: keys,
                              metrics: metrics, readiness: Readiness(), logger: logger,
                              bodyBudget: BodyBudget(capacity: configuration.limits.maxInFlightBytes),
                              connections: ConnectionCap(limit: configuration.limits.maxConnections), clock: clock)
    }

    /// Warms every batch size of every model, then marks the server ready.
    func warmUp() async throws {
        for endpoint in service.endpoints.values {
            try await endpoint.batcher.warmUp()
        }
        readiness.markReady()
        logger.info("ready: \(service.endpoints.keys.sorted().joined(separator: ", ")) warmed")
    }

    /// Writes what the write-behind still holds; the workspace is its opener's to close.
    public func close() async {
        await service.writeBehind.flush()
    }
}
