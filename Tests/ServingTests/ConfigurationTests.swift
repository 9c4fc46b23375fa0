import Foundation
import Serving
import Testing

@Suite("serve configuration")
struct ConfigurationTests {
    @Test("every key is read from YAML")
    func fullFile() throws {
        let yaml = """
            listen: {host: 0.0.0.0, port: 9000}
            metrics: {port: 9100}
            data: /srv/lenscale
            catalog: postgres://lenscale:secret@db/lenscale
            store: s3://bucket/prefix
            models_dir: /opt/models
            models:
              - name: efficientnet-lite2
                threads: 4
                batcher:
                  max_batch_size: 32
                  max_queue_delay_us: 3000
                  preferred_batch_sizes: [8, 16]
                  max_queue_size: 512
                  timeout_ms: 2000
            cache: {memory_bytes: 1000000}
            limits: {max_body_bytes: 5000000, max_pixels: 40000000, decode_concurrency: 3, max_check_hashes: 50, max_stream_s: 30}
            auth:
              keys:
                - id: 0123456789abcdef
                  name: ops
                  secret_sha256: \(String(repeating: "ab", count: 32))
                  scopes: [read, admin]
            worker: {enabled: false}
            """
        let configuration = try ServeConfiguration.parse(yaml: yaml)
        #expect(configuration.listen == .init(host: "0.0.0.0", port: 9000))
        #expect(configuration.metrics == .init(host: "127.0.0.1", port: 9100), "the metrics listener stays on loopback unless given a host")
        #expect(configuration.catalog == "postgres://lenscale:secret@db/lenscale")
        #expect(configuration.models.count == 1)
        #expect(configuration.models[0].batcher.maxBatchSize == 32)
        #expect(configuration.models[0].batcher.preferredBatchSizes == [8, 16])
        #expect(configuration.models[0].batcher.warmupSizes == [1, 8, 16, 32])
        #expect(configuration.cache.memoryBytes == 1_000_000)
        #expect(configuration.limits.decodeConcurrency == 3)
        #expect(configuration.limits.maxStreamSeconds == 30)
        #expect(configuration.auth.keys.first?.scopes == [.read, .admin])
        #expect(configuration.worker.enabled == false)
    }

    @Test("mistakes name the line and the key", arguments: [
        ("listen:\n  prot: 80\n", "line 2", "listen.prot"),
        ("models:\n  - name: x\n    batcher:\n      max_batch_sise: 8\n", "line 4", "max_batch_sise"),
        ("cache:\n  memory_bytes: lots\n", "line 2", "whole number"),
        ("models:\n  - name: x\n    batcher: {max_batch_size: 8, preferred_batch_sizes: [64]}\n", "models.x", "outside 1...8"),
        ("listen: [1, 2]\n", "line 1", "mapping"),
        ("auth:\n  keys:\n    - id: a\n      secret_sha256: nothex\n      scopes: [read]\n", "line 4", "64 hex digits"),
        // Values that once trapped instead of failing: an empty or bare-slash range, YAML 1.1's
        // base-60 integers multiplied out past Int.max, fullwidth hex digits.
        ("webhooks: {allow_cidrs: [\"\"]}\n", "line 1", "CIDR"),
        ("webhooks: {allow_cidrs: [\"/\"]}\n", "line 1", "CIDR"),
        ("listen: {port: 0:0:0:0:0:0:0:0:0:0:0:0}\n", "listen.port", "whole number"),
        ("metrics: {port: 99999999999999999999999}\n", "metrics.port", "whole number"),
        ("metrics: {port: 70000}\n", "metrics.port", "0...65535"),
        ("limits: {max_stream_s: 0}\n", "max_stream_s", "1...86400"),
        ("auth:\n  keys:\n    - id: a\n      secret_sha256: \(String(repeating: "\u{FF11}", count: 64))\n      scopes: [read]\n", "line 4", "64 hex digits"),
    ])
    func errors(yaml: String, line: String, fragment: String) {
        do {
            _ = try ServeConfiguration.parse(yaml: yaml)
            Issue.record("accepted \(yaml)")
        } catch {
            #expect(error.description.contains(line), "\(error)")
            #expect(error.description.contains(fragment), "\(error)")
        }
    }

    @Test("whole numbers may group digits with underscores")
    func groupedDigits() throws {
        let configuration = try ServeConfiguration.parse(yaml: "cache: {memory_bytes: 1_000_000}\n")
        #expect(configuration.cache.memoryBytes == 1_000_000)
    }

    @Test("insecure mode is refused off loopback, allowed on it")
    func insecureOnlyOnLoopback() throws {
        #expect(throws: ConfigurationError.self) {
            try ServeConfiguration.parse(yaml: "listen: {host: 0.0.0.0}\nauth: {insecure_no_auth: true}\n")
        }
        let local = try ServeConfiguration.parse(yaml: "listen: {host: 127.0.0.1}\nauth: {insecure_no_auth: true}\n")
        #expect(local.auth.insecureNoAuth)
    }

    @Test("loopback is an address (127.0.0.0/8, ::1) or the name localhost, not a prefix", arguments: [
        ("127.0.0.1", true), ("127.1.2.3", true), ("localhost", true), ("LocalHost", true), ("::1", true), ("[::1]", true),
        ("0:0:0:0:0:0:0:1", true), ("127.example.com", false), ("127.", false), ("127.0.0.1.nip.io", false), ("0.0.0.0", false),
        ("::", false), ("::ffff:10.0.0.1", false), ("10.0.0.1", false), ("localhost.example.com", false), ("", false),
    ])
    func loopbackIsParsed(host: String, loopback: Bool) throws {
        #expect(ServeConfiguration.Address(host: host, port: 80).isLoopback == loopback, "\(host)")
        let yaml = "listen: {host: '\(host)'}\nauth: {insecure_no_auth: true}\n"
        if loopback {
            #expect(try ServeConfiguration.parse(yaml: yaml).auth.insecureNoAuth)
        } else {
            #expect(throws: ConfigurationError.self, "\(host)") { try ServeConfiguration.parse(yaml: yaml) }
        }
    }

    @Test("the metrics listener defaults to 127.0.0.1, whatever the main host")
    func metricsOnLoopback() throws {
        let configuration = try ServeConfiguration.parse(yaml: "listen: {host: 0.0.0.0}\nmetrics: {port: 9100}\n")
        #expect(configuration.metrics == .init(host: "127.0.0.1", port: 9100))
        let exposed = try ServeConfiguration.parse(yaml: "listen: {host: 0.0.0.0}\nmetrics: {host: 0.0.0.0, port: 9100}\n")
        #expect(exposed.metrics == .init(host: "0.0.0.0", port: 9100))
    }

    @Test("environment variables override the file")
    func environment() throws {
        var configuration = try ServeConfiguration.parse(yaml: "listen: {port: 1000}\ndata: /a\n")
        try configuration.applyEnvironment(["LENSCALE_PORT": "2000", "LENSCALE_DATA": "/b", "LENSCALE_HOST": ""])
        #expect(configuration.listen.port == 2000)
        #expect(configuration.data == "/b")
        #expect(configuration.listen.host == "127.0.0.1")
        #expect(throws: ConfigurationError.self) { try configuration.applyEnvironment(["LENSCALE_PORT": "eighty"]) }
    }
}
