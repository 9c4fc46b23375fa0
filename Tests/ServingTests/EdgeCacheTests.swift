import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Serving
import Testing
import TestSupport

/// A real nginx with `proxy_cache` in front of a live server: predictions by hash are cached at
/// the edge, errors and auth failures are not.
@Suite("edge cache (nginx)", .serialized)
struct EdgeCacheTests {
    @Test("a repeated GET by hash is served by nginx; 404s and 401s always reach the origin")
    func nginxCachesPredictions() async throws {
        let server = try await TestServer.open()
        let bytes = try photoBytes("coffee.png")
        let sha256 = ContentHashHex.of(bytes)
        let unknown = String(repeating: "cd", count: 32)
        try await server.application().test(.live) { client in
            try await client.waitUntilReady()
            let origin = try #require(client.port)
            let classified = try await client.execute(uri: "/v1/classify", method: .post, headers: server.headers(.classify, contentType: "image/png"),
                                                      body: ByteBuffer(bytes: bytes))
            #expect(classified.status == .ok)

            let nginx = try await NginxProxy.start(originPort: origin)
            defer { nginx.stop() }
            let read = server.tokens[.read]!
            let before = server.runtime.service.hitStatistics.lookups

            let first = try await nginx.get("/v1/predictions/\(sha256)", token: read)
            let second = try await nginx.get("/v1/predictions/\(sha256)", token: read)
            #expect(first.status == 200)
            #expect(first.cacheStatus == "MISS")
            #expect(second.status == 200)
            #expect(second.cacheStatus == "HIT")
            #expect(second.body == first.body)
            #expect(server.runtime.service.hitStatistics.lookups - before == 1, "the origin saw the repeated request")

            let missing1 = try await nginx.get("/v1/predictions/\(unknown)", token: read)
            let missing2 = try await nginx.get("/v1/predictions/\(unknown)", token: read)
            #expect(missing1.status == 404 && missing2.status == 404)
            #expect(missing2.cacheStatus != "HIT", "nginx cached a 404")

            let denied1 = try await nginx.get("/v1/predictions/\(unknown)", token: nil)
            let denied2 = try await nginx.get("/v1/predictions/\(unknown)", token: nil)
            #expect(denied1.status == 401 && denied2.status == 401)
            #expect(denied2.cacheStatus != "HIT", "nginx cached a 401")
            #expect(server.runtime.service.hitStatistics.lookups - before == 3, "each 404 must reach the origin")
        }
        await server.close()
    }
}

/// nginx started from Debian's binary with a configuration of our own in a temporary prefix.
struct NginxProxy {
    let process: Process
    let port: Int
    let prefix: URL

    struct Answer {
        var status: Int
        var cacheStatus: String?
        var body: String
    }

    /// Starts nginx and waits (a minute at most, against a hang) until it answers.
    static func start(originPort: Int) async throws -> NginxProxy {
        let nginx = try NginxProxy(originPort: originPort)
        do {
            try await poll("nginx to answer on 127.0.0.1:\(nginx.port)", within: .seconds(60), every: .milliseconds(50)) {
                (try? await nginx.get("/healthz", token: nil))?.status == 200
            }
        } catch {
            let log = (try? String(contentsOf: nginx.prefix.appendingPathComponent("logs/error.log"), encoding: .utf8)) ?? ""
            nginx.stop()
            throw TestFailure("nginx did not start: \(error); \(log)")
        }
        return nginx
    }

    private init(originPort: Int) throws {
        prefix = try TestPaths.temporaryDirectory()
        port = Self.freePort()
        for folder in ["logs", "cache", "tmp"] {
            try FileManager.default.createDirectory(at: prefix.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let config = """
            worker_processes 1;
            daemon off;
            pid \(prefix.path)/nginx.pid;
            error_log \(prefix.path)/logs/error.log warn;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path \(prefix.path)/tmp/body;
                proxy_temp_path \(prefix.path)/tmp/proxy;
                fastcgi_temp_path \(prefix.path)/tmp/fastcgi;
                uwsgi_temp_path \(prefix.path)/tmp/uwsgi;
                scgi_temp_path \(prefix.path)/tmp/scgi;
                proxy_cache_path \(prefix.path)/cache keys_zone=predictions:1m;
                server {
                    listen 127.0.0.1:\(port);
                    location / {
                        proxy_pass http://127.0.0.1:\(originPort);
                        proxy_cache predictions;
                        add_header X-Cache-Status $upstream_cache_status always;
                    }
                }
            }
            """
        let configURL = prefix.appendingPathComponent("nginx.conf")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", prefix.path, "-c", configURL.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: prefix)
    }

    /// A GET through nginx with curl, so the client is a real HTTP client too.
    func get(_ path: String, token: String?) async throws -> Answer {
        var arguments = ["-s", "-o", "-", "-D", "/dev/stderr", "--max-time", "60", "http://127.0.0.1:\(port)\(path)"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        let result = try await runProcess(URL(fileURLWithPath: "/usr/bin/curl"), arguments)
        let headers = result.stderr.split(whereSeparator: \.isNewline)
        let status = headers.first.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
        let cache = headers.first { $0.lowercased().hasPrefix("x-cache-status:") }
            .map { $0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces) }
        return Answer(status: status, cacheStatus: cache, body: result.stdout)
    }

    /// A port the kernel says is free now (bind to 0, read it, close).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
