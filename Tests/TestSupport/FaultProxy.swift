import Foundation
import Glibc
import Synchronization

/// A TCP proxy on 127.0.0.1 in front of a test server (the shared S3 test server, usually) that
/// a test can take down and bring back on the same port, to play an outage of that server.
///
/// Why a proxy rather than killing the server: the S3 test server keeps its objects in memory
/// and is shared by every test in the process, so killing it would lose the very objects a fault
/// test wants to check and break other tests. Through the proxy the client sees exactly what it
/// would see of a dead server (connections refused, open ones reset) or of a hung one
/// (connections accepted, never answered), and the objects stored before the fault survive it.
public final class FaultProxy: Sendable {
    public enum Mode: Sendable {
        /// Traffic passes both ways.
        case forwarding
        /// The port is closed and every open connection is reset: a dead or restarting server.
        case down
        /// Connections are accepted and their bytes read, but nothing comes back: a hung server.
        case silent
    }

    public let port: Int
    private let upstreamPort: Int
    private let state = Mutex(State())

    private struct State {
        var mode: Mode = .forwarding
        var listener: Int32 = -1
        var connections: Set<Int32> = []
        /// Requests still allowed through before the proxy goes down by itself; nil: no limit.
        var requestsLeft: Int?
        /// Only requests with this method count against `requestsLeft`; nil: every request.
        var countedMethod: String?
        /// Set once `requestsLeft` ran out: every new request is refused (its connection reset)
        /// while requests already sent finish, as when a server dies between two requests.
        var refusingRequests = false
    }

    /// Lets `count` more HTTP requests (of `method`, when given) through, then refuses every new
    /// request and connection from the next such request on, so a test can cut a client off at
    /// an exact point of its work rather than racing it. Requests already sent (their bodies
    /// included) still complete. `set(.forwarding)` ends it.
    public func goDown(afterRequests count: Int, method: String? = nil) {
        state.withLock {
            $0.requestsLeft = count
            $0.countedMethod = method
        }
    }

    public init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        let (fd, port) = try Self.listen(port: 0)
        self.port = port
        state.withLock { $0.listener = fd }
        startAccepting(fd)
    }

    public var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Switches to `mode`; open connections are reset whenever traffic stops passing.
    public func set(_ mode: Mode) throws {
        // Shut connections down while holding the lock: `serve` removes a descriptor from the
        // set under it before closing, so none can have been closed and its number reused by
        // another test's socket in between.
        let (old, listener) = state.withLock { state in
            defer { state.mode = mode }
            if mode != .forwarding {
                for connection in state.connections { shutdown(connection, Int32(SHUT_RDWR)) }
            }
            return (state.mode, state.listener)
        }
        if mode == .forwarding { state.withLock { $0.refusingRequests = false } }
        if mode == .down, old != .down {
            // Only shut down: the accepting thread closes it once its accept() fails, so the
            // number cannot be reused by another socket while that thread may still use it.
            shutdown(listener, Int32(SHUT_RDWR))
            state.withLock { $0.listener = -1 }
        } else if mode != .down, old == .down {
            // The old listener is closed by its accepting thread as it wakes: until then the
            // port may still be taken, for a moment.
            var attempt = 0
            var opened: (Int32, Int)?
            while opened == nil {
                do {
                    opened = try Self.listen(port: port)
                } catch let error as POSIXError where error.code == .EADDRINUSE && attempt < 500 {
                    attempt += 1
                    usleep(2_000)
                }
            }
            let (fd, _) = opened!
            state.withLock { $0.listener = fd }
            startAccepting(fd)
        }
    }

    private static func listen(port: Int) throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, Glibc.listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Blocking accepts on a thread of their own: the cooperative pool has too few threads to
    /// lend one to a socket.
    private func startAccepting(_ listener: Int32) {
        Thread { [self] in
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else {
                    if errno == EINTR { continue }
                    close(listener)  // shut down by `set(.down)` or a cut: this thread owns the close
                    return
                }
                let mode = state.withLock { state -> Mode in
                    state.connections.insert(connection)
                    return state.mode
                }
                Thread { [self] in serve(connection, mode: mode) }.start()
            }
        }.start()
    }

    private func serve(_ client: Int32, mode: Mode) {
        defer {
            state.withLock { _ = $0.connections.remove(client) }
            close(client)
        }
        guard mode == .forwarding, let upstream = connectUpstream() else {
            // Silent: swallow whatever comes until the client or `set` ends the connection.
            var buffer = [UInt8](repeating: 0, count: 4096)
            while read(client, &buffer, buffer.count) > 0 {}
            return
        }
        state.withLock { _ = $0.connections.insert(upstream) }
        defer {
            state.withLock { _ = $0.connections.remove(upstream) }
            close(upstream)
        }
        let back = Thread { Self.pump(from: upstream, to: client) }
        back.start()
        Self.pump(from: client, to: upstream) { [self] chunk in admits(chunk) }
        // One direction ended: end both, so the other pump returns too.
        shutdown(upstream, Int32(SHUT_RDWR))
        shutdown(client, Int32(SHUT_RDWR))
        while !back.isFinished { usleep(1000) }
    }

    private func connectUpstream() -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(upstreamPort).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Counts the request lines in `chunk` against `requestsLeft`; false (and the connection is
    /// dropped) for a request once the limit has passed. A request line split across two reads
    /// is missed, which only makes the cut a request later.
    private func admits(_ chunk: ArraySlice<UInt8>) -> Bool {
        let marker = Array(" HTTP/1.1\r\n".utf8)
        let method = state.withLock { $0.countedMethod }.map { Array(($0 + " ").utf8) }
        var requests = 0, counted = 0
        if chunk.count >= marker.count {
            var index = chunk.startIndex
            while index <= chunk.endIndex - marker.count {
                if chunk[index..<index + marker.count].elementsEqual(marker) {
                    requests += 1
                    // The target holds no space: the method ends right before it. (On a kept-alive
                    // connection the line follows the previous body with no line break.)
                    var targetStart = index
                    while targetStart > chunk.startIndex, chunk[targetStart - 1] != UInt8(ascii: " ") { targetStart -= 1 }
                    if let method {
                        if targetStart - chunk.startIndex >= method.count, chunk[(targetStart - method.count)..<targetStart].elementsEqual(method) {
                            counted += 1
                        }
                    } else {
                        counted += 1
                    }
                }
                index += 1
            }
        }
        guard requests > 0 else { return true }
        let (allowed, closeListener) = state.withLock { state -> (Bool, Bool) in
            if state.refusingRequests { return (false, false) }
            guard counted > 0, let left = state.requestsLeft else { return (true, false) }
            state.requestsLeft = left - counted
            guard left - counted < 0 else { return (true, false) }
            state.requestsLeft = nil
            state.refusingRequests = true
            return (false, true)
        }
        if closeListener {
            // No new connections either; the ones open keep finishing what they already sent.
            let listener = state.withLock { state -> Int32 in
                defer { state.listener = -1; state.mode = .down }
                return state.listener
            }
            if listener >= 0 { shutdown(listener, Int32(SHUT_RDWR)) }  // the accepting thread closes it
        }
        return allowed
    }

    private static func pump(from source: Int32, to destination: Int32, admit: (ArraySlice<UInt8>) -> Bool = { _ in true }) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(source, &buffer, buffer.count)
            guard count > 0, admit(buffer[0..<count]) else { break }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { return }
                offset += written
            }
        }
        shutdown(destination, Int32(SHUT_WR))
    }

    deinit {
        try? set(.down)
    }
}
