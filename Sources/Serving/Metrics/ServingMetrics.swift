import Foundation
import Prometheus

/// The server's Prometheus metrics, on a registry of its own so several servers in one test
/// process do not mix their counts; `lenscale serve` also routes swift-metrics (the job queue's)
/// into the same registry, so /metrics shows everything.
public struct ServingMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    static let latencyBuckets: [Duration] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10]
        .map { Duration.nanoseconds(Int64($0 * 1e9)) }
    static let batchBuckets: [Double] = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64]

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "lenscale", metricName: metric, unitName: unit, helpText: help)
    }

    /// One answered request: by route pattern (not path, to bound cardinality), status and cache
    /// status (`hit`, `miss` or `none`).
    func request(route: String, status: Int, cache: String, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.name("http_request_duration", "seconds", "Latency of answered requests."),
            labels: [("route", route), ("status", String(status)), ("cache", cache)],
            buckets: Self.latencyBuckets
        ).record(duration)
    }

    func batch(model: String, size: Int, inference: Duration) {
        registry.makeValueHistogram(
            descriptor: Self.name("batch_size", "images", "Images per model call, as the dynamic batcher formed them."),
            labels: [("model", model)], buckets: Self.batchBuckets
        ).record(Double(size))
        registry.makeDurationHistogram(
            descriptor: Self.name("inference_duration", "seconds", "Time of one model call (a whole batch)."),
            labels: [("model", model)], buckets: Self.latencyBuckets
        ).record(inference)
    }

    func decode(model: String, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.name("decode_duration", "seconds", "Time to decode and preprocess one upload."),
            labels: [("model", model)], buckets: Self.latencyBuckets
        ).record(duration)
    }

    func queueDepth(model: String, _ depth: Int) {
        registry.makeGauge(
            descriptor: Self.name("batcher_queue_depth", "images", "Decoded images waiting for the model."),
            labels: [("model", model)]
        ).set(Double(depth))
    }

    func rejectedOverload(model: String) {
        registry.makeCounter(
            descriptor: Self.name("batcher_rejected", "total", "Requests refused with 429 because the model queue was full."),
            labels: [("model", model)]
        ).increment()
    }

    /// A cache lookup's outcome: `memory` (tier 1), `catalog` (tier 2) or `miss`.
    func cacheLookup(_ outcome: String) {
        registry.makeCounter(
            descriptor: Self.name("cache_lookups", "total", "Prediction cache lookups by the tier that answered (or miss)."),
            labels: [("result", outcome)]
        ).increment()
    }

    func cacheRatio(hits: Int, lookups: Int) {
        registry.makeGauge(descriptor: Self.name("cache_hit", "ratio", "Share of prediction lookups answered from a cache tier."))
            .set(lookups == 0 ? 0 : Double(hits) / Double(lookups))
    }

    func recordError(code: String) {
        registry.makeCounter(
            descriptor: Self.name("errors", "total", "Error answers by code."), labels: [("code", code)]
        ).increment()
    }

    /// The Prometheus text exposition of everything registered.
    func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
