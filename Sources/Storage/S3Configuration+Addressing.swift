import Foundation

/// Where one request goes and what its signature covers.
struct S3Target: Sendable, Equatable {
    /// The URL handed to the HTTP client (possibly at `connectAddress`).
    var url: String
    /// The `Host` header: the bucket's real name for the endpoint, signed as such.
    var host: String
    /// Percent-encoded path, identical on the wire and in the canonical request.
    var canonicalURI: String
    /// Percent-encoded, sorted query, identical on the wire and in the canonical request.
    var canonicalQuery: String
}

extension S3Configuration {
    /// The bucket-relative object name for a store key: the key prefix, then the key.
    func objectName(for key: String) -> String {
        keyPrefix.isEmpty ? key : keyPrefix + "/" + key
    }

    /// The store key for an object name from a listing; nil if it is outside the key prefix.
    func key(forObjectName name: String) -> String? {
        if keyPrefix.isEmpty { return name }
        let folder = keyPrefix + "/"
        guard name.utf8.starts(with: folder.utf8) else { return nil }
        return String(name.utf8.dropFirst(folder.utf8.count))!
    }

    /// The target of a request on `objectName` (nil for bucket-level requests such as listing).
    func target(objectName: String?, query: [(name: String, value: String)] = []) -> S3Target {
        let endpointHost = Self.hostHeader(for: endpoint)
        let host: String
        var path: String
        switch addressingStyle {
        case .path:
            host = endpointHost
            path = "/" + bucket
            if let objectName { path += "/" + AWSURIEncoding.encode(objectName, keepingSlashes: true) }
        case .virtualHost:
            host = bucket + "." + endpointHost
            path = "/" + (objectName.map { AWSURIEncoding.encode($0, keepingSlashes: true) } ?? "")
        }
        let canonicalQuery = AWSURIEncoding.canonicalQuery(query)
        let scheme = endpoint.scheme?.lowercased() ?? "https"
        let url = "\(scheme)://\(connectAddress ?? host)\(path)" + (canonicalQuery.isEmpty ? "" : "?" + canonicalQuery)
        return S3Target(url: url, host: host, canonicalURI: path, canonicalQuery: canonicalQuery)
    }

    /// `host[:port]` as HTTP clients send it: the port only when it is not the scheme's default,
    /// IPv6 literals in brackets.
    static func hostHeader(for endpoint: URL) -> String {
        var host = endpoint.host ?? ""
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
        let defaultPort = endpoint.scheme?.lowercased() == "http" ? 80 : 443
        if let port = endpoint.port, port != defaultPort { host += ":\(port)" }
        return host
    }
}
