import Foundation
import HTTPTypes
import Keys
import NIOCore
import Hummingbird
import HummingbirdTesting
import Serving
import Testing
import TestSupport

/// The commands `make demo` prints, run verbatim (from `tools/demo-commands.sh`, which the demo
/// prints from) against a live server: a newcomer's first request must not be an error. curl's
/// `--data-binary` sends `application/x-www-form-urlencoded`, which the server takes as a hint.
@Suite("the demo's printed curl commands work as printed")
struct DemoCommandTests {
    /// Runs `script` with bash in the repository root; stdout, or a failure with stderr.
    static func bash(_ script: String, environment: [String: String] = [:]) async throws -> String {
        let result = try await runProcess(URL(fileURLWithPath: "/bin/bash"), ["-c", script], environment: environment,
                                          currentDirectory: TestPaths.repositoryRoot, limit: .seconds(300))
        guard result.status == 0 else { throw TestFailure("`\(script)` exited \(result.status): \(result.stderr)") }
        return result.stdout
    }

    struct Answer: Decodable {
        struct Label: Decodable { var name: String }
        var sha256: String
        var labels: [Label]
    }

    @Test("each printed command answers JSON with labels, not an error")
    func printedCommands() async throws {
        let server = try await TestServer.open()
        let (key, token) = try APIKey.generate(name: "demo", scopes: [.classify, .read, .ingest, .review])
        try await server.runtime.keys.insert(key)
        let photo = try #require(try LabelledPhotos.all.first).url.path
        try await server.application().test(.live) { client in
            try await client.waitUntilReady()
            let port = try #require(client.port)
            let printed = try await Self.bash("source tools/demo-commands.sh; demo_commands",
                                              environment: ["key": token, "photo": photo, "port": "\(port)"])
            let commands = printed.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            #expect(commands.count == 2)
            #expect(commands.allSatisfy { $0.hasPrefix("curl ") && !$0.contains("Content-Type") }, "the test must run what the demo prints")
            var hashes: [String] = []
            for command in commands {
                let body = try await Self.bash(command)
                let answer = try #require(try? JSONDecoder().decode(Answer.self, from: Data(body.utf8)), "`\(command)` answered \(body.prefix(300))")
                #expect(!answer.labels.isEmpty, "`\(command)`: no labels")
                hashes.append(answer.sha256)
            }
            #expect(Set(hashes).count == 1, "the prediction read back is not the photo classified: \(hashes)")
        }
        await server.close()
    }

    @Test("Content-Type is a hint: missing, generic or curl's default type is fine for image bytes, refused for other bytes")
    func contentTypeIsAHint() async throws {
        let server = try await TestServer.open()
        let jpeg = try photoBytes("rocket.jpg")
        try await server.application().test(.router) { client in
            try await client.waitUntilReady()
            for type in [nil, "application/octet-stream", "application/x-www-form-urlencoded", "image/png"] as [String?] {
                var headers = server.headers(.classify)
                headers[.contentType] = type
                if type == nil { headers[.contentType] = nil }
                let response = try await client.execute(uri: "/v1/classify", method: .post, headers: headers, body: ByteBuffer(bytes: jpeg))
                #expect(response.status == .ok, "\(type ?? "no type"): \(String(buffer: response.body))")
            }
            let text = try await client.execute(uri: "/v1/classify", method: .post,
                                                headers: server.headers(.classify, contentType: "application/x-www-form-urlencoded"),
                                                body: ByteBuffer(bytes: BadInputs.text))
            #expect(text.status == .unsupportedMediaType)
            #expect(try ErrorBody.decode(text).error.code == "not_an_image")
        }
        await server.close()
    }
}
