import Foundation
import ImageDecoding
import Jobs
import Keys

/// Everything `lenscale serve` needs, read from a YAML file, then environment variables, then
/// flags (each overriding the one before), so one file serves every replica and a flag changes
/// one thing for a single run.
///
/// Every field has a default that runs the embedded single-machine setup, so an empty file (or
/// none) is a valid configuration. Unknown keys are errors: a misspelt `max_batch_size` must not
/// silently run with the default.
public struct ServeConfiguration: Sendable, Equatable {
    public var listen = Address(host: "127.0.0.1", port: 8080)
    /// A second listener for /healthz, /readyz and /metrics, so probes and scrapers can reach a
    /// port that the public one does not expose. nil: those routes are on the main port only.
    /// A `metrics:` entry without a host listens on 127.0.0.1: /metrics has no key, so exposing
    /// it beyond the machine is a deliberate `host:`.
    public var metrics: Address?
    /// The data folder of the embedded store, catalog and indexes.
    public var data: String?
    /// A SQLite path or postgres:// URL; default `<data>/catalog.sqlite`.
    public var catalog: String?
    /// A folder, file:// or s3:// URL; default `<data>/objects`.
    public var store: String?
    /// The folder holding models.json; default `$LENSCALE_MODELS`, else ./models.
    public var modelsDirectory: String?
    public var models: [ModelConfiguration] = [ModelConfiguration(name: "efficientnet-lite0")]
    public var cache = CacheConfiguration()
    public var limits = Limits()
    public var auth = AuthConfiguration()
    /// Runs a background worker for queued jobs in this process (the embedded default).
    public var worker = WorkerConfiguration()
    /// How long SIGTERM waits for requests and background work to drain before cancelling what
    /// is left; open event streams end at once, so they never hold a shutdown up.
    public var shutdownGrace: Duration = .seconds(10)
    public var readiness = ReadinessConfiguration()
    public var webhooks = WebhookConfiguration()

    public init() {}

    public struct Address: Sendable, Equatable {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Loopback: the only place `--insecure-no-auth` may listen. The host is parsed as an
        /// address (127.0.0.0/8 or ::1, brackets allowed) or is the name `localhost`; a prefix
        /// test would let the name `127.example.com` through.
        public var isLoopback: Bool {
            var name = host
            if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
            if name.lowercased() == "localhost" { return true }
            var v4 = in_addr()
            if inet_pton(AF_INET, name, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
            var v6 = in6_addr()
            if inet_pton(AF_INET6, name, &v6) == 1 {
                return withUnsafeBytes(of: &v6) { Array($0) } == [UInt8](repeating: 0, count: 15) + [1]
            }
            return false
        }
    }

    public struct ModelConfiguration: Sendable, Equatable {
        public var name: String
        /// ONNX Runtime intra-op threads; default: the core count.
        public var threads: Int?
        public var batcher = BatcherSettings()
        public init(name: String, threads: Int? = nil, batcher: BatcherSettings = BatcherSettings()) {
            self.name = name
            self.threads = threads
            self.batcher = batcher
        }
    }

    public struct CacheConfiguration: Sendable, Equatable {
        /// Bytes of the in-process prediction cache (tier 1); the catalog is tier 2.
        public var memoryBytes = 64 * 1024 * 1024
        /// Upload bytes waiting to be written to the store and the catalog behind the answer;
        /// beyond, fresh answers are not written (a later miss recomputes them).
        public var writeBehindBytes = 256 * 1024 * 1024
        public init() {}
    }

    public struct Limits: Sendable, Equatable {
        public var maxBodyBytes = 20 * 1024 * 1024
        public var maxPixels = DecodeLimits.default.maxPixels
        /// Concurrent decodes; default: the core count.
        public var decodeConcurrency: Int?
        /// Decodes that may wait for a decode thread; beyond, 429 with `Retry-After`.
        public var decodeQueue = 256
        /// Pixel memory held by all decodes at once (see `DecodeBudget`). The default fits a
        /// 2-core, 4 GB node beside the upload budget: one image at the pixel limit, or dozens of
        /// phone photos. An image needing more alone is 413; a full budget is 503 after
        /// `decodeWaitMilliseconds`.
        public var decodeBudgetBytes = DecodeBudget.defaultCapacity
        public var decodeWaitMilliseconds = 2000
        /// Hashes accepted by one `POST /v1/predictions/check`.
        public var maxCheckHashes = 1000
        /// The whole body of one `POST /v1/batches` (many images).
        public var maxBatchBytes = 256 * 1024 * 1024
        /// Seconds a connection may sit idle (no request, or a stalled one) before it is closed:
        /// idle sockets are memory and file descriptors a client holds for free.
        public var idleTimeoutSeconds = 60
        /// Seconds a request body may take to arrive in full; past it, 408. Sized for a batch at
        /// `maxBatchBytes` over a slow uplink (256 MB in 300 s is 7 Mbit/s).
        public var bodyDeadlineSeconds = 300
        public var bodyDeadline: Duration { .seconds(bodyDeadlineSeconds) }
        /// Event streams and long polls one API key may hold open at once; beyond, 429.
        public var maxStreamsPerKey = 8
        /// Seconds one event stream or long poll stays open; the stream then ends and the client
        /// resumes with `Last-Event-ID`, as SSE clients do by themselves. A bounded lifetime
        /// lets replicas drain and rebalance, and no forgotten client holds a slot for days.
        public var maxStreamSeconds = 600
        /// Open connections on the main listener; beyond, new ones wait in the accept backlog.
        public var maxConnections = 1024
        /// Request-body bytes held at once across all requests (see `BodyBudget`); sized for a
        /// 2-core, 4 GB node: a few full uploads and one large batch.
        public var maxInFlightBytes = 512 * 1024 * 1024
        public init() {}
    }

    public struct AuthConfiguration: Sendable, Equatable {
        /// Serve without keys. Refused unless every listener is on loopback.
        public var insecureNoAuth = false
        /// Keys declared in the file (digests only), besides those made with `lenscale keys create`.
        public var keys: [StaticKey] = []
        /// Load balancers and proxies whose `X-Forwarded-For` names the client that failed keys
        /// are counted against (`auth.trusted_proxies`); from anyone else the header is ignored.
        public var trustedProxies: [AddressRange] = []
        public init() {}
    }

    public struct StaticKey: Sendable, Equatable {
        public var id: String
        public var name: String
        public var secretSHA256: String
        public var scopes: Set<Scope>
    }

    /// How `/readyz` checks the catalog and the store (`ReadinessProbe`).
    public struct ReadinessConfiguration: Sendable, Equatable {
        /// Time between probes: how long a dead dependency can go unnoticed.
        public var probeInterval: Duration = .seconds(5)
        /// How long each probe waits for an answer before calling the dependency unreachable.
        public var probeTimeout: Duration = .seconds(2)
        public init() {}
    }

    public struct WebhookConfiguration: Sendable, Equatable {
        /// CIDR ranges webhooks may be delivered to although internal (`10.1.0.0/16`,
        /// `127.0.0.1/32` for a receiver on this machine). Empty: public addresses only.
        public var allowCIDRs: [String] = []
        public init() {}
    }

    public struct WorkerConfiguration: Sendable, Equatable {
        public var enabled = true
        public init() {}
    }
}
