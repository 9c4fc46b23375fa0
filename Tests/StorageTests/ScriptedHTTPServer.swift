import Foundation
import Glibc
import Synchronization

/// A tiny HTTP/1.1 server on 127.0.0.1 that answers from a script, for the failure cases a real
/// S3 server will not produce on demand: 503 twice then 200, a request that never gets an
/// answer, a throttling code.
///
/// Blocking sockets on a dedicated thread, because a blocking accept() on one of the cooperative
/// pool's two threads could starve the async code under test. The shared state is a Mutex: it is
/// touched from that thread, which cannot await an actor.
final class ScriptedHTTPServer: Sendable {
    enum Reply: Sendable {
        case respond(status: Int, headers: [String: String] = [:], body: String = "")
        /// Read the request, then never answer (until the server stops).
        case hang
    }

    /// What the server saw, in order.
    struct Received: Sendable {
        var method: String
        var target: String
        var headers: [String: String]
        var bodyLength: Int
    }

    let port: Int
    private let listener: Int32
    private let state: Mutex<State>

    private struct State: Sendable {
        var script: [Reply]
        var received: [Received] = []
        var openConnections: [Int32] = []
    }

    /// Serves `script` in order; the last reply repeats once it runs out.
    init(script: [Reply]) throws {
        precondition(!script.isEmpty)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        state = Mutex(State(script: script))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var received: [Received] { state.withLock { $0.received } }
    var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Stops accepting and drops every open connection (which ends any `.hang`).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        // Under the lock: `handle` removes a descriptor under it before closing it, so none can
        // have been closed and its number reused by another test's socket in between.
        state.withLock { state in
            for connection in state.openConnections { shutdown(connection, Int32(SHUT_RDWR)) }
            state.openConnections = []
        }
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR { continue }
                close(listener)
                return
            }
            Thread { [self] in handle(connection) }.start()
        }
    }

    private func handle(_ connection: Int32) {
        defer { close(connection) }
        guard let request = readRequest(connection) else { return }
        let reply = state.withLock { state -> Reply in
            state.received.append(request)
            state.openConnections.append(connection)
            return state.script.count > 1 ? state.script.removeFirst() : state.script[0]
        }
        switch reply {
        case .hang:
            var byte: UInt8 = 0
            _ = recv(connection, &byte, 1, 0)  // returns when stop() shuts the socket down
        case .respond(let status, let headers, let body):
            var head = "HTTP/1.1 \(status) Scripted\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            let bytes = Array((head + "\r\n").utf8) + (request.method == "HEAD" ? [] : Array(body.utf8))
            _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        state.withLock { $0.openConnections.removeAll { $0 == connection } }
    }

    /// The request line, headers, and as much body as Content-Length announces.
    private func readRequest(_ connection: Int32) -> Received? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Int?
        var expected = 0
        while headerEnd == nil || data.count < headerEnd! + expected {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            data += buffer[..<count]
            if headerEnd == nil, let range = data.firstRange(of: Array("\r\n\r\n".utf8)) {
                headerEnd = range.upperBound
                let head = String(decoding: data[..<range.lowerBound], as: UTF8.self)
                expected = head.split(separator: "\r\n").lazy.compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                    return Int(parts[1].trimmingCharacters(in: .whitespaces))
                }.first ?? 0
            }
        }
        let lines = String(decoding: data[..<headerEnd!], as: UTF8.self).split(separator: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return Received(method: requestLine.first.map(String.init) ?? "", target: requestLine.dropFirst().first.map(String.init) ?? "",
                        headers: headers, bodyLength: data.count - headerEnd!)
    }
}
