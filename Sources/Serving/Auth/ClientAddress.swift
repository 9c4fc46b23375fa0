import Jobs
import NIOCore

/// Who a request comes from, for counting failed keys: the peer's address, or the address a
/// trusted proxy says it forwarded for.
///
/// Why not the peer address alone: behind a load balancer every client has the balancer's
/// address, so one client guessing keys would get every client answered 429. Why not any
/// `X-Forwarded-For`: a client can write that header itself and pick a fresh "address" per
/// request. So the header is read only when the peer is a configured proxy, from the right
/// (the entries proxies appended), skipping further trusted proxies. IPv6 clients are counted
/// per /64, the block one subscriber gets, or each could spend a fresh address per guess.
struct ClientAddress: Sendable {
    let trustedProxies: [AddressRange]

    /// The key failures are counted against.
    func key(peer: SocketAddress?, forwardedFor: String?) -> String {
        guard let text = peer?.ipAddress, let peerAddress = IPAddress(parsing: text) else { return "unknown" }
        var client = peerAddress
        if isTrusted(peerAddress), let forwardedFor {
            let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for hop in hops.reversed() {
                guard let address = IPAddress(parsing: Self.strippingPort(hop)) else { break }
                client = address
                if !isTrusted(address) { break }
            }
        }
        return Self.bucket(client)
    }

    private func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    /// IPv4 as is (also when written IPv4-mapped, as a dual-stack socket reports it); IPv6 by
    /// its /64 network.
    static func bucket(_ address: IPAddress) -> String {
        let bytes = address.bytes
        guard bytes.count == 16 else { return address.description }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF, let v4 = IPAddress(bytes: Array(bytes[12...])) {
            return v4.description
        }
        let network = IPAddress(bytes: Array(bytes[0..<8]) + [UInt8](repeating: 0, count: 8))!
        return "\(network)/64"
    }

    /// `[2001:db8::1]:443` and `192.0.2.1:80` as proxies may write them.
    static func strippingPort(_ hop: String) -> String {
        if hop.hasPrefix("["), let close = hop.firstIndex(of: "]") {
            return String(hop[hop.index(after: hop.startIndex)..<close])
        }
        if hop.filter({ $0 == ":" }).count == 1, let colon = hop.firstIndex(of: ":") { return String(hop[..<colon]) }
        return hop
    }
}
