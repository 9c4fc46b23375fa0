import Foundation
import Hashing
import Jobs
import Keys
import Yams

extension ServeConfiguration {
    /// Reads a configuration file; see the type's documentation for the keys and defaults.
    public static func load(path: String) throws(ConfigurationError) -> ServeConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        return try parse(yaml: text)
    }

    public static func parse(yaml text: String) throws(ConfigurationError) -> ServeConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw .syntax("\(error)")
        }
        var configuration = ServeConfiguration()
        guard let root else { return configuration }
        let top = try YAMLReader(node: root, path: "").mapping(
            known: ["listen", "metrics", "data", "catalog", "store", "models_dir", "models", "cache", "limits", "auth", "worker", "shutdown", "readiness", "webhooks"])
        if let node = top["listen"] { configuration.listen = try address(node, default: configuration.listen) }
        if let node = top["metrics"] { configuration.metrics = try address(node, default: Address(host: "127.0.0.1", port: 9090)) }
        configuration.data = try top["data"]?.string()
        configuration.catalog = try top["catalog"]?.string()
        configuration.store = try top["store"]?.string()
        configuration.modelsDirectory = try top["models_dir"]?.string()
        if let node = top["models"] {
            configuration.models = try node.sequence().map { (entry: YAMLReader) throws(ConfigurationError) in try model(entry) }
        }
        if let node = top["cache"] {
            let cache = try node.mapping(known: ["memory_bytes", "write_behind_bytes"])
            if let value = cache["memory_bytes"] { configuration.cache.memoryBytes = try value.int(in: 0...Int.max) }
            if let value = cache["write_behind_bytes"] { configuration.cache.writeBehindBytes = try value.int(in: 0...Int.max) }
        }
        if let node = top["limits"] {
            let limits = try node.mapping(known: ["max_body_bytes", "max_pixels", "decode_concurrency", "max_check_hashes", "max_batch_bytes",
                                                  "idle_timeout_s", "max_inflight_bytes", "decode_queue", "decode_budget_bytes", "decode_wait_ms", "body_deadline_s", "max_streams_per_key", "max_stream_s", "max_connections"])
            if let value = limits["max_connections"] { configuration.limits.maxConnections = try value.int(in: 1...1_000_000) }
            if let value = limits["max_stream_s"] { configuration.limits.maxStreamSeconds = try value.int(in: 1...86_400) }
            if let value = limits["max_streams_per_key"] { configuration.limits.maxStreamsPerKey = try value.int(in: 1...10_000) }
            if let value = limits["body_deadline_s"] { configuration.limits.bodyDeadlineSeconds = try value.int(in: 1...86_400) }
            if let value = limits["decode_queue"] { configuration.limits.decodeQueue = try value.int(in: 0...100_000) }
            if let value = limits["decode_budget_bytes"] { configuration.limits.decodeBudgetBytes = try value.int(in: 1_048_576...Int.max) }
            if let value = limits["decode_wait_ms"] { configuration.limits.decodeWaitMilliseconds = try value.int(in: 0...600_000) }
            if let value = limits["max_inflight_bytes"] { configuration.limits.maxInFlightBytes = try value.int(in: 1...Int.max) }
            if let value = limits["idle_timeout_s"] { configuration.limits.idleTimeoutSeconds = try value.int(in: 1...3600) }
            if let value = limits["max_body_bytes"] { configuration.limits.maxBodyBytes = try value.int(in: 1...Int.max) }
            if let value = limits["max_pixels"] { configuration.limits.maxPixels = try value.int(in: 1...Int.max) }
            if let value = limits["decode_concurrency"] { configuration.limits.decodeConcurrency = try value.int(in: 1...1024) }
            if let value = limits["max_check_hashes"] { configuration.limits.maxCheckHashes = try value.int(in: 1...100_000) }
            if let value = limits["max_batch_bytes"] { configuration.limits.maxBatchBytes = try value.int(in: 1...Int.max) }
        }
        if let node = top["auth"] {
            let auth = try node.mapping(known: ["insecure_no_auth", "keys", "trusted_proxies"])
            if let value = auth["trusted_proxies"] {
                configuration.auth.trustedProxies = try value.sequence().map { (entry: YAMLReader) throws(ConfigurationError) in
                    guard let range = AddressRange(parsing: try entry.string()) else {
                        throw entry.fail("is not an address or CIDR range like 10.0.0.0/8 or fd00::/8")
                    }
                    return range
                }
            }
            if let value = auth["insecure_no_auth"] { configuration.auth.insecureNoAuth = try value.bool() }
            if let value = auth["keys"] {
                configuration.auth.keys = try value.sequence().map { (entry: YAMLReader) throws(ConfigurationError) in try staticKey(entry) }
            }
        }
        if let node = top["worker"] {
            let worker = try node.mapping(known: ["enabled"])
            if let value = worker["enabled"] { configuration.worker.enabled = try value.bool() }
        }
        if let node = top["shutdown"] {
            let shutdown = try node.mapping(known: ["grace_seconds"])
            if let value = shutdown["grace_seconds"] { configuration.shutdownGrace = .seconds(try value.int(in: 1...3600)) }
        }
        if let node = top["readiness"] {
            let readiness = try node.mapping(known: ["probe_interval_ms", "probe_timeout_ms"])
            if let value = readiness["probe_interval_ms"] { configuration.readiness.probeInterval = .milliseconds(try value.int(in: 10...3_600_000)) }
            if let value = readiness["probe_timeout_ms"] { configuration.readiness.probeTimeout = .milliseconds(try value.int(in: 10...600_000)) }
        }
        if let node = top["webhooks"] {
            let webhooks = try node.mapping(known: ["allow_cidrs"])
            if let value = webhooks["allow_cidrs"] {
                configuration.webhooks.allowCIDRs = try value.sequence().map { (entry: YAMLReader) throws(ConfigurationError) in
                    let text = try entry.string()
                    guard AddressRange(parsing: text) != nil else { throw entry.fail("is not a CIDR range like 10.0.0.0/8 or fd00::/8") }
                    return text
                }
            }
        }
        try configuration.validate()
        return configuration
    }

    /// Applies `LENSCALE_HOST`, `LENSCALE_PORT`, `LENSCALE_DATA`, `LENSCALE_CATALOG`,
    /// `LENSCALE_STORE` and `LENSCALE_MODELS` where set.
    public mutating func applyEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let host = value("LENSCALE_HOST") { listen.host = host }
        if let port = value("LENSCALE_PORT") {
            guard let number = Int(port), (0...65535).contains(number) else { throw .invalid("LENSCALE_PORT must be a port number, not '\(port)'") }
            listen.port = number
        }
        if let data = value("LENSCALE_DATA") { self.data = data }
        if let catalog = value("LENSCALE_CATALOG") { self.catalog = catalog }
        if let store = value("LENSCALE_STORE") { self.store = store }
        if let models = value("LENSCALE_MODELS") { modelsDirectory = models }
    }

    /// Checks what no single key can: names, ranges, and that insecure mode stays on loopback.
    public func validate() throws(ConfigurationError) {
        guard (0...65535).contains(listen.port) else { throw .invalid("listen.port must be within 0...65535") }
        guard !models.isEmpty else { throw .invalid("models: name at least one model to serve") }
        var seen = Set<String>()
        for model in models {
            guard seen.insert(model.name).inserted else { throw .invalid("models: '\(model.name)' is listed twice") }
            if let threads = model.threads, threads < 1 { throw .invalid("models.\(model.name).threads must be at least 1") }
            try model.batcher.validate(model: model.name)
        }
        guard limits.maxInFlightBytes >= limits.maxBodyBytes else {
            throw .invalid("limits.max_inflight_bytes (\(limits.maxInFlightBytes)) must be at least limits.max_body_bytes (\(limits.maxBodyBytes)), or no upload fits")
        }
        if auth.insecureNoAuth {
            guard listen.isLoopback, metrics?.isLoopback ?? true else {
                throw .invalid("--insecure-no-auth is for local development only: bind to 127.0.0.1 (not \(listen.host)), or create a key with `lenscale keys create`")
            }
        }
    }

    private static func address(_ node: YAMLReader, default fallback: Address) throws(ConfigurationError) -> Address {
        let entries = try node.mapping(known: ["host", "port"])
        var address = fallback
        if let host = entries["host"] { address.host = try host.string() }
        if let port = entries["port"] { address.port = try port.int(in: 0...65535) }
        return address
    }

    private static func model(_ node: YAMLReader) throws(ConfigurationError) -> ModelConfiguration {
        let entries = try node.mapping(known: ["name", "threads", "batcher"])
        guard let name = entries["name"] else { throw node.fail("needs a name (see `lenscale models`)") }
        var model = ModelConfiguration(name: try name.string())
        if let threads = entries["threads"] { model.threads = try threads.int(in: 1...1024) }
        if let batcher = entries["batcher"] {
            let settings = try batcher.mapping(known: [
                "max_batch_size", "max_queue_delay_us", "preferred_batch_sizes", "max_queue_size", "timeout_ms",
            ])
            if let value = settings["max_batch_size"] { model.batcher.maxBatchSize = try value.int(in: 1...1024) }
            if let value = settings["max_queue_delay_us"] { model.batcher.maxQueueDelayMicroseconds = try value.int(in: 0...10_000_000) }
            if let value = settings["preferred_batch_sizes"] {
                model.batcher.preferredBatchSizes = try value.sequence().map { (size: YAMLReader) throws(ConfigurationError) in try size.int(in: 1...1024) }
            }
            if let value = settings["max_queue_size"] { model.batcher.maxQueueSize = try value.int(in: 1...1_000_000) }
            if let value = settings["timeout_ms"] { model.batcher.timeoutMilliseconds = try value.int(in: 1...3_600_000) }
        }
        return model
    }

    private static func staticKey(_ node: YAMLReader) throws(ConfigurationError) -> StaticKey {
        let entries = try node.mapping(known: ["id", "name", "secret_sha256", "scopes"])
        guard let id = entries["id"], let digest = entries["secret_sha256"], let scopes = entries["scopes"] else {
            throw node.fail("needs id, secret_sha256 (the SHA-256 hex of the key's secret part) and scopes")
        }
        let digestText = try digest.string()
        guard digestText.count == 64, digestText.allSatisfy(\.isASCIIHexDigit) else { throw digest.fail("must be 64 hex digits") }
        var parsed = Set<Scope>()
        for entry in try scopes.sequence() {
            let name = try entry.string()
            guard let scope = Scope(rawValue: name) else { throw entry.fail("names an unknown scope '\(name)'") }
            parsed.insert(scope)
        }
        return StaticKey(id: try id.string(), name: try entries["name"]?.string() ?? "config", secretSHA256: digestText.lowercased(), scopes: parsed)
    }
}
