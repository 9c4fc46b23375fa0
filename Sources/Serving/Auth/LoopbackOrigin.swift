import HTTPTypes
import Hummingbird

/// What `--insecure-no-auth` lets in: requests addressed to a loopback name, from no web page
/// but the server's own.
///
/// Why binding to 127.0.0.1 is not enough: any web page the developer visits can make their
/// browser send requests to 127.0.0.1 (a form post registers a webhook), and a page whose name
/// is re-pointed at 127.0.0.1 (DNS rebinding) can even read the answers. The first carries the
/// page's `Origin`; the second carries the page's name in `Host`. So the `Host` must be a
/// loopback name, and an `Origin`, when present, must be this very server (its own upload and
/// review pages send one on every POST).
enum LoopbackOrigin {
    /// Nil when the request may be treated as the local developer; else why not.
    static func refusal(host: String?, origin: String?) -> APIError? {
        guard let host, isLoopback(authority: host) else {
            return APIError(.forbidden, code: "not_loopback",
                            message: "--insecure-no-auth answers only requests addressed to localhost, 127.0.0.1 or [::1]; got Host '\(host ?? "")'")
        }
        if let origin, origin.lowercased() != "http://\(host.lowercased())" {
            return APIError(.forbidden, code: "cross_origin",
                            message: "--insecure-no-auth refuses requests from other web pages (Origin '\(origin)'); use an API key")
        }
        return nil
    }

    /// `localhost`, `127.x.y.z` or `[::1]`, with or without a port.
    static func isLoopback(authority: String) -> Bool {
        let host: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return false }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && isPort(rest.dropFirst())) else { return false }
            return host == "::1"
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        if parts.count == 2, !isPort(parts[1]) { return false }
        host = parts[0]
        if host.lowercased() == "localhost" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { $0.count <= 3 && !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } && Int($0)! <= 255 }
    }

    private static func isPort(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 5 && text.allSatisfy { $0.isASCII && $0.isNumber } && Int(text)! <= 65535
    }
}
