import ImageDecoding
import Jobs
import Logging
import ServiceLifecycle
import Submissions

/// The job side of a server: the queue on the catalog's database (and its wake-ups), the batch
/// and event routes and the webhook dispatcher. The worker that runs the jobs is built apart (in this process by
/// default, or as `lenscale worker` processes), the same way for both.
public struct JobServices: Sendable {
    public let queue: any JobQueue
    public let routes: LenscaleServer.RouteGroup
    public let services: [any Service]
    /// The open event streams and long polls per key, for tests and metrics.
    let streams: StreamSlots

    public static func open(runtime: ServingRuntime) throws -> JobServices {
        let configuration = runtime.configuration
        let endpoint = try runtime.service.endpoint(named: nil)
        let queue = try makeJobQueue(catalog: runtime.workspace.catalog)
        let limits = DecodeLimits(maxBytes: configuration.limits.maxBodyBytes, maxPixels: configuration.limits.maxPixels)
        let submitter = BatchSubmitter(queue: queue, store: runtime.workspace.store, model: endpoint.name, modelVersion: endpoint.version,
                                       limits: limits)
        let targets = WebhookTargetPolicy(allowed: configuration.webhooks.allowCIDRs.compactMap(AddressRange.init(parsing:)))
        let routes = JobRoutes(queue: queue, submitter: submitter, maxBatchBytes: configuration.limits.maxBatchBytes,
                               maxStreamsPerKey: configuration.limits.maxStreamsPerKey,
                               maxStreamDuration: .seconds(configuration.limits.maxStreamSeconds), clock: runtime.clock,
                               targets: targets)
        var services: [any Service] = [BackgroundService(name: "webhooks") { await WebhookDispatcher.run(queue: queue, targets: targets) }]
        if let wakeups = queue.wakeups { services.append(wakeups) }
        return JobServices(queue: queue, routes: { routes.add(to: $0) }, services: services, streams: routes.streams)
    }
}
