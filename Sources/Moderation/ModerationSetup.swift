import Catalog
import Foundation
import ImageDecoding
import Inference

/// The cascade under one policy and its store on the catalog's database: what a server's online
/// path and review routes and every worker's `moderation.heavy` handler share.
///
/// One way to find the policy for every process: `serve` fell back to the example policy and
/// `lenscale worker` did not, so a scale-out worker started like `serve` ran no heavy stage and
/// those jobs sat in the queue.
public struct ModerationSetup: Sendable {
    public let cascade: ModerationCascade
    public let store: any ModerationStore
    public let policyFile: URL

    /// The environment variable naming the policy file.
    public static let policyVariable = "LENSCALE_MODERATION_POLICY"
    /// Used when neither a path nor the variable is given and the file exists.
    public static let defaultPolicyPath = "config/moderation-policy.yaml"

    public init(cascade: ModerationCascade, store: any ModerationStore, policyFile: URL) {
        self.cascade = cascade
        self.store = store
        self.policyFile = policyFile
    }

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

    /// Loads the policy in `policyFile`, the cascade's models and the store. A missing or
    /// malformed file fails with its line and reason.
    ///
    /// One detector thread (the cascade's default): measured with bench/review, 2 threads cut the
    /// light stage's p50 (27 -> 18 ms) but raised its p99 (32 -> 42 ms) on 2 shared cores.
    public static func load(
        policyFile: URL, manifest: ModelManifest, inference: ONNXRuntime, onlineClassifier: String, limits: DecodeLimits,
        catalog: any Catalog
    ) throws -> ModerationSetup {
        let cascade = try ModerationCascade.load(policyFile: policyFile, manifest: manifest, runtime: inference,
                                                 onlineClassifier: onlineClassifier, limits: limits)
        return ModerationSetup(cascade: cascade, store: try moderationStore(for: catalog), policyFile: policyFile)
    }
}
