import Foundation
import ImageDecoding
import Inference
import Jobs
import Moderation
import Workers

/// Moderation in a server: the cascade under one policy, its store on the catalog's database,
/// the `moderation.heavy` job handler for the worker, `?moderate=true` on `POST /v1/classify`,
/// and the review queue and audit routes.
///
/// Opened in two steps because the worker needs the handler before the job queue exists and
/// the routes need that queue: `open` (cascade, store, handler), then `attach(queue:)`.
public struct ModerationServices: Sendable {
    public let cascade: ModerationCascade
    public let store: any ModerationStore
    /// Add to the worker (`JobServices.open(runtime:handlers:)`) to run the heavy stage in process.
    public let handler: HeavyModerationHandler
    public let policyFile: URL
    let runtime: ServingRuntime

    /// The environment variable naming the policy file, until the configuration has a key for it.
    public static let policyVariable = "LENSCALE_MODERATION_POLICY"
    /// Used when neither a path nor the variable is given and the file exists.
    public static let defaultPolicyPath = "config/moderation-policy.yaml"

    /// The policy file to load: `path`, else `$LENSCALE_MODERATION_POLICY`, else the example
    /// policy when it exists under the working directory; nil turns moderation off.
    public static func policyFile(
        path: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL? {
        if let path = path ?? environment[policyVariable].flatMap({ $0.isEmpty ? nil : $0 }) {
            return URL(fileURLWithPath: path)
        }
        return FileManager.default.fileExists(atPath: defaultPolicyPath) ? URL(fileURLWithPath: defaultPolicyPath) : nil
    }

    /// Loads the policy and the cascade's models; nil when no policy file is configured (see
    /// `policyFile(path:environment:)`). A configured file that is missing or malformed fails
    /// with its line and reason.
    public static func open(runtime: ServingRuntime, manifest: ModelManifest, policyPath: String? = nil) throws -> ModerationServices? {
        guard let file = policyFile(path: policyPath) else { return nil }
        let onnx = try ONNXRuntime.load(manifest: manifest)
        let online = try runtime.service.endpoint(named: nil)
        // One detector thread (the cascade's default): measured with bench/review, 2 threads cut
        // the light stage's p50 (27 -> 18 ms) but raised its p99 (32 -> 42 ms) on 2 shared cores.
        let limits = runtime.configuration.limits
        let cascade = try ModerationCascade.load(policyFile: file, manifest: manifest, runtime: onnx, onlineClassifier: online.name,
                                                 limits: DecodeLimits(maxBytes: limits.maxBodyBytes, maxPixels: limits.maxPixels))
        let store = try moderationStore(for: runtime.workspace.catalog)
        return ModerationServices(cascade: cascade, store: store,
                                  handler: HeavyModerationHandler(cascade: cascade, store: store, objects: runtime.workspace.store,
                                                                  decodeBudget: runtime.service.decoding.budget),
                                  policyFile: file, runtime: runtime)
    }

    /// Turns on `?moderate=true` for this server's classify route and returns the review routes.
    public func attach(queue: any JobQueue) -> LenscaleServer.RouteGroup {
        let online = OnlineModeration(cascade: cascade, store: store, queue: queue, objects: runtime.workspace.store,
                                      decoding: runtime.service.decoding)
        OnlineModeration.register(online, for: runtime.service)
        let routes = ReviewRoutes(moderation: online)
        return { routes.add(to: $0) }
    }

    /// Turns `?moderate=true` off again (the routes stay, answering from the store).
    public func detach() {
        OnlineModeration.unregister(runtime.service)
    }
}
