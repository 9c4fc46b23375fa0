import Foundation
import Glibc

/// Where webhooks may be delivered: never inside the network the server runs in.
///
/// A webhook URL is a request the server makes on a client's behalf, so it is vetted twice: at
/// registration (a clear 400) and before each delivery, since DNS answers change. The host is
/// resolved, every address must be public (not loopback, link-local including the cloud
/// metadata address 169.254.169.254, private, CGNAT, unique-local, multicast, unspecified, nor an
/// IPv4-mapped or -compatible form of those), and the delivery connects to the address vetted,
/// not to a second lookup. Operators with an internal receiver allow its range explicitly
/// (`webhooks.allow_cidrs` in serve.yaml); the list is empty by default.
public struct WebhookTargetPolicy: Sendable {
    public let allowed: [AddressRange]
    public let resolver: any HostResolver

    public init(allowed: [AddressRange] = [], resolver: any HostResolver = SystemResolver()) {
        self.allowed = allowed
        self.resolver = resolver
    }

    /// A URL whose host resolved to a permitted address.
    public struct Vetted: Sendable, Equatable {
        public var url: URL
        public var host: String
        public var port: Int
        /// The address to connect to.
        public var address: IPAddress
    }

    public func vet(_ text: String) async throws(WebhookTargetError) -> Vetted {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              var host = url.host, !host.isEmpty else {
            throw .invalidURL
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let lowered = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        let literal = IPAddress(parsing: host)
        if literal == nil, Self.isLocalName(lowered), !allowed.contains(where: { $0.containsLoopback }) {
            throw .refused(host: host)
        }
        let addresses: [IPAddress]
        if let literal {
            addresses = [literal]
        } else {
            do {
                addresses = try await resolver.resolve(host)
            } catch {
                throw .unresolvable(host: host)
            }
        }
        guard let first = addresses.first else { throw .unresolvable(host: host) }
        // Every answer must pass: a name with one public and one internal address is refused.
        for address in addresses where !permits(address) { throw .refused(host: host) }
        return Vetted(url: url, host: host, port: port, address: first)
    }

    func permits(_ address: IPAddress) -> Bool {
        if allowed.contains(where: { $0.contains(address) }) { return true }
        return !address.isInternal
    }

    /// Names that mean this machine or its private network whatever DNS says.
    static func isLocalName(_ name: String) -> Bool {
        name == "localhost" || name.hasSuffix(".localhost") || name == "localhost.localdomain" || name.hasSuffix(".local")
            || name.hasSuffix(".internal") || name == "ip6-localhost" || name == "ip6-loopback" || !name.contains(".")
    }
}

/// Why a webhook target is refused; each says what to do.
public enum WebhookTargetError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL
    case unresolvable(host: String)
    case refused(host: String)

    public var description: String {
        switch self {
        case .invalidURL: "the webhook url must be an absolute http:// or https:// URL"
        case .unresolvable(let host): "the webhook host '\(host.prefix(100))' does not resolve; use a public host name"
        case .refused(let host):
            "the webhook host '\(host.prefix(100))' is or resolves to a loopback, private, link-local or otherwise internal address; "
                + "use a public receiver, or allow its range in webhooks.allow_cidrs"
        }
    }
}

/// Looks a host name up; a protocol so tests can change the answer between two deliveries.
public protocol HostResolver: Sendable {
    func resolve(_ host: String) async throws -> [IPAddress]
}

/// getaddrinfo(3), off the cooperative pool (it blocks).
public struct SystemResolver: HostResolver {
    public init() {}

    public struct Failure: Error { public init() {} }

    public func resolve(_ host: String) async throws -> [IPAddress] {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<[IPAddress], any Error>) in
            Thread.detachNewThread {
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                guard getaddrinfo(host, nil, &hints, &list) == 0 else { return done.resume(throwing: Failure()) }
                defer { freeaddrinfo(list) }
                var addresses: [IPAddress] = []
                var node = list
                while let entry = node?.pointee {
                    if let address = entry.ai_addr.flatMap(IPAddress.init(socketAddress:)), !addresses.contains(address) {
                        addresses.append(address)
                    }
                    node = entry.ai_next
                }
                done.resume(returning: addresses)
            }
        }
    }
}

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// A literal (`10.0.0.1`, `::1`, `[::1]`); strict dotted quads only, as inet_pton reads them.
    public init?(parsing text: String) {
        var name = text
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, name, &v6) == 1 {
            self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    init?(socketAddress: UnsafeMutablePointer<sockaddr>) {
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET:
            let v4 = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            self.bytes = withUnsafeBytes(of: v4) { Array($0) }
        case AF_INET6:
            let v6 = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            self.bytes = withUnsafeBytes(of: v6) { Array($0) }
        default:
            return nil
        }
    }

    public var isV4: Bool { bytes.count == 4 }

    /// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), -compatible (`::a.b.c.d`),
    /// NAT64 (`64:ff9b::/96`) or 6to4 (`2002:AABB:CCDD::/48`) IPv6 address.
    var embeddedV4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return IPAddress(bytes: Array(bytes[12...])) }
        if bytes[0..<12].allSatisfy({ $0 == 0 }), !bytes[12..<16].allSatisfy({ $0 == 0 }), bytes[12...] != [0, 0, 0, 1] {
            return IPAddress(bytes: Array(bytes[12...]))
        }
        if bytes[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return IPAddress(bytes: Array(bytes[12...])) }
        if bytes[0] == 0x20, bytes[1] == 0x02 { return IPAddress(bytes: Array(bytes[2..<6])) }
        return nil
    }

    /// Not a public unicast address.
    public var isInternal: Bool {
        if let inner = embeddedV4 { return inner.isInternal }
        return Self.internalRanges.contains { $0.contains(self) }
    }

    static let internalRanges: [AddressRange] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8", "2001:db8::/32", "100::/64",
    ].map { AddressRange(parsing: $0)! }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var raw = bytes
        _ = inet_ntop(isV4 ? AF_INET : AF_INET6, &raw, &buffer, socklen_t(buffer.count))
        return String(cString: buffer)
    }
}

/// A CIDR range (`10.0.0.0/8`, `fd00::/8`).
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    public let network: IPAddress
    public let prefix: Int

    public init?(parsing text: String) {
        // Empty pieces kept: "" and "/" are refused, not indexed past the end.
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let network = IPAddress(parsing: String(parts[0])) else { return nil }
        let width = network.bytes.count * 8
        let prefix = parts.count == 2 ? Int(parts[1]) : width
        guard let prefix, (0...width).contains(prefix) else { return nil }
        self.network = network
        self.prefix = prefix
    }

    public func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefix
        for index in 0..<address.bytes.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address.bytes[index] & mask != network.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    var containsLoopback: Bool { contains(IPAddress(parsing: "127.0.0.1")!) || contains(IPAddress(parsing: "::1")!) }

    public var description: String { "\(network)/\(prefix)" }
}
