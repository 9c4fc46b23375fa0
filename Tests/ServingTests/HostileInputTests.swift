import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Serving
import Testing
import TestSupport

/// Every route, every numeric (and id, and time) parameter, driven with boundary and garbage
/// values: each answer is a success or a 4xx with the JSON error body, never a 5xx or a trap
/// (a trap would end this test process), and the server still answers /healthz afterwards.
@Suite("hostile input: boundary numbers, garbage and long strings on every route", .serialized)
struct HostileInputTests {
    /// Values for each parameter: boundaries of Int64 and UInt64, floats that do not fit,
    /// non-numbers, percent-encoded non-UTF-8, and very long strings.
    static let values: [String] = [
        "0", "-1", "1", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "1e300", "-1e300", "1e-300", "NaN", "nan", "inf", "-inf", "1.5", "0x10", "+3", "",
        "%FF%FE%FD", "%C0%AF", "%00", "%25", "abc", String(repeating: "9", count: 5000), String(repeating: "a", count: 10_000),
    ]

    struct Probe: CustomStringConvertible {
        var method: HTTPRequest.Method
        var uri: String
        var contentType = "application/json"
        var body: [UInt8] = []
        var extra: HTTPFields = [:]
        var description: String { "\(method) \(uri.prefix(120))\(extra.isEmpty ? "" : " \(extra)")" }
    }

    /// A value that the route takes as a valid non-negative cursor, so that the SSE stream would
    /// open (and never end) rather than answer.
    static func opensStream(_ value: String) -> Bool {
        guard let number = Int(value.removingPercentEncoding ?? value) else { return false }
        return number >= 0
    }

    static func probes(photo: [UInt8]) -> [Probe] {
        let sha = String(repeating: "ab", count: 32)
        var probes: [Probe] = []
        for value in values {
            for parameter in ["top", "embedding", "moderate", "model"] {
                probes.append(Probe(method: .post, uri: "/v1/classify?\(parameter)=\(value)", contentType: "image/jpeg", body: photo))
            }
            probes.append(Probe(method: .get, uri: "/v1/predictions/\(sha)?model=\(value)"))
            for parameter in ["after", "limit", "wait"] where !(parameter == "wait" && (Int(value) ?? 0) > 2) {
                probes.append(Probe(method: .get, uri: "/v1/events?\(parameter)=\(value)"))
            }
            if !opensStream(value) {
                probes.append(Probe(method: .get, uri: "/v1/events/stream?after=\(value)"))
                probes.append(Probe(method: .get, uri: "/v1/events/stream", extra: [HTTPField.Name("Last-Event-ID")!: value.removingPercentEncoding ?? value]))
            }
            for parameter in ["state", "category", "created_after", "created_before", "after", "limit"] {
                probes.append(Probe(method: .get, uri: "/v1/review?\(parameter)=\(value)"))
            }
            for parameter in ["category", "lease"] {
                probes.append(Probe(method: .post, uri: "/v1/review/claim?\(parameter)=\(value)"))
            }
            probes.append(Probe(method: .post, uri: "/v1/review/1/claim?lease=\(value)"))
            for parameter in ["sha256", "after", "limit"] {
                probes.append(Probe(method: .get, uri: "/v1/audit?\(parameter)=\(value)"))
            }
            // Ids and hashes in paths.
            for path in ["/v1/batches/\(value)", "/v1/predictions/\(value)", "/v1/moderation/\(value)", "/v1/review/\(value)",
                         "/v1/review/\(value)/image", "/v1/webhooks/\(value)/deliveries"] {
                probes.append(Probe(method: .get, uri: path))
            }
            probes.append(Probe(method: .post, uri: "/v1/review/\(value)/claim"))
            probes.append(Probe(method: .post, uri: "/v1/review/\(value)", body: Array(#"{"verdict": "approve"}"#.utf8)))
            probes.append(Probe(method: .delete, uri: "/v1/webhooks/\(value)"))
            // Numbers and strings in JSON bodies, inserted raw (most are not even JSON).
            probes.append(Probe(method: .post, uri: "/v1/predictions/check", body: Array(#"{"sha256": ["\#(value)"]}"#.utf8)))
            probes.append(Probe(method: .post, uri: "/v1/predictions/check", body: Array(#"{"model": \#(value), "sha256": []}"#.utf8)))
            probes.append(Probe(method: .post, uri: "/v1/batches", body: Array(#"{"keys": [\#(value)]}"#.utf8)))
            probes.append(Probe(method: .post, uri: "/v1/webhooks", body: Array(
                #"{"url": "http://127.0.0.1:9/hook", "secret": "0123456789abcdef0123", "start_after": \#(value)}"#.utf8)))
            // Headers that carry numbers.
            probes.append(Probe(method: .get, uri: "/v1/predictions/\(sha)", extra: [.ifNoneMatch: value.removingPercentEncoding ?? value]))
        }
        return probes
    }

    @Test("every answer is a success or a 4xx JSON error, and /healthz answers afterwards")
    func everyRoute() async throws {
        let photo = try photoBytes("rocket.jpg")
        try await ModerationReviewTests.withModeration { client, server, _, _ in
            var failures: [String] = []
            let probes = Self.probes(photo: photo)
            for probe in probes {
                var headers = server.headers(.admin, contentType: probe.contentType)
                for field in probe.extra { headers.append(field) }
                let response = try await client.execute(uri: probe.uri, method: probe.method, headers: headers, body: ByteBuffer(bytes: probe.body))
                let code = response.status.code
                if (200..<300).contains(code) || code == 304 { continue }
                guard (400..<500).contains(code) else {
                    failures.append("\(probe): \(code) \(String(buffer: response.body).prefix(200))")
                    continue
                }
                if (try? ErrorBody.decode(response)) == nil {
                    failures.append("\(probe): \(code) without the JSON error body: \(String(buffer: response.body).prefix(200))")
                }
            }
            #expect(failures.isEmpty, "\(failures.count) of \(probes.count) answers were neither a success nor a 4xx JSON error:\n\(failures.prefix(40).joined(separator: "\n"))")
            let health = try await client.execute(uri: "/healthz", method: .get) { $0.status }
            #expect(health == .ok, "the server stopped answering /healthz")
        }
    }

    @Test("the crash that was reported: a review time of 1e300 is a 400, not a trap; extreme valid times are accepted")
    func extremeTimes() async throws {
        let refused = [
            "created_after=1e300", "created_before=-1e300", "created_after=inf", "created_after=NaN", "created_before=99999999999999",
            "created_after=9999-12-31T23:59:59Z&created_before=1e19", "created_after=-1",
        ]
        try await ModerationReviewTests.withModeration { client, server, _, _ in
            for query in refused {
                let response = try await client.execute(uri: "/v1/review?\(query)", method: .get, headers: server.headers(.review))
                #expect(response.status == .badRequest, "\(query): \(String(buffer: response.body))")
                #expect((try? ErrorBody.decode(response))?.error.code == "bad_parameter", "\(query)")
            }
            let valid = try await client.execute(uri: "/v1/review?created_after=0&created_before=9999-12-31T23:59:59Z", method: .get,
                                                 headers: server.headers(.review))
            #expect(valid.status == .ok, "\(String(buffer: valid.body))")
        }
    }

    @Test("Last-Event-ID must be an event id", arguments: ["-1", "abc", "9223372036854775808", "1e300"])
    func lastEventID(value: String) async throws {
        let server = try await TestServer.open()
        let app = try await server.applicationWithJobs()
        try await app.test(.router) { client in
            var headers = server.headers(.read)
            headers[HTTPField.Name("Last-Event-ID")!] = value
            let response = try await client.execute(uri: "/v1/events/stream", method: .get, headers: headers)
            #expect(response.status == .badRequest)
            #expect(try ErrorBody.decode(response).error.code == "bad_parameter")
        }
        await server.close()
    }
}
