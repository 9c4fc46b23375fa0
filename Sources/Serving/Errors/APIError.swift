import Multipart
import Foundation
import Hummingbird
import ImageDecoding

/// An error answer of the HTTP API: a status and `{"error": {"code": ..., "message": ...}}`.
///
/// Every failure a client can cause ends as one of these, so clients branch on a stable `code`
/// and show `message`, which says what to do. Error answers are never cacheable: a CDN must not
/// remember a 401 or a 404 for a hash that exists a second later.
public struct APIError: Error, HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Seconds, for 429 and 503.
    public var retryAfter: Int?
    /// What went wrong inside, for the log only: a 5xx body never carries connection strings,
    /// hosts or driver messages.
    public var detail: String?
    /// Headers the answer needs besides the defaults (`Allow` on a 405).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, retryAfter: Int? = nil, detail: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.detail = detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"lenscale\"" }
        for field in self.headers { headers[field.name] = field.value }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The JSON body, encoded by hand: error paths must not fail on an encoder.
    var body: [UInt8] {
        Array("{\"error\":{\"code\":\(JSONString.quote(code)),\"message\":\(JSONString.quote(message))}}".utf8)
    }
}

extension APIError {
    static func badRequest(_ code: String, _ message: String) -> APIError { APIError(.badRequest, code: code, message: message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not_found", message: message) }
    static let unauthenticated = APIError(
        .unauthorized, code: "unauthenticated",
        message: "send an API key as 'Authorization: Bearer <key>'; create one with `lenscale keys create`")
    static func forbidden(scope: String) -> APIError {
        APIError(.forbidden, code: "forbidden", message: "this API key lacks the '\(scope)' scope; create a key with `lenscale keys create --scope \(scope)`")
    }
    static func tooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "too_large", message: "the body exceeds \(limit) bytes; send a smaller image or raise limits.max_body_bytes")
    }
    /// A multipart body refused while it was read: too many parts is 413, anything else 400.
    static func multipart(_ error: MultipartError) -> APIError {
        if case .tooManyParts = error { return APIError(.contentTooLarge, code: "too_many_parts", message: error.description) }
        return APIError(.badRequest, code: "bad_multipart", message: error.description)
    }
    static func unsupportedMedia(_ type: String) -> APIError {
        APIError(.unsupportedMediaType, code: "unsupported_media_type",
                 message: "content type '\(type)' is not accepted; send an image type (\(ImageFormat.allCases.map(\.mimeType).joined(separator: ", "))), "
                    + "application/octet-stream or multipart/form-data")
    }
    static func undecodable(_ code: String, _ message: String) -> APIError {
        APIError(.unprocessableContent, code: code, message: message)
    }
    static func overloaded(retryAfter: Int) -> APIError {
        APIError(.tooManyRequests, code: "overloaded", message: "the model queue is full; retry after \(retryAfter) s", retryAfter: retryAfter)
    }
    /// A dependency (`what`: "catalog", "queue", "object store", "key store") failed; the
    /// client is told to retry and the reason goes to the log.
    static func unavailable(_ what: String, code: String = "unavailable", detail: String) -> APIError {
        APIError(.serviceUnavailable, code: code, message: "the \(what) is unavailable; retry", retryAfter: 1, detail: detail)
    }
    static let notReady = APIError(.serviceUnavailable, code: "not_ready", message: "the models are still loading; retry shortly", retryAfter: 1)
}

/// JSON string quoting for the few bodies built by hand.
enum JSONString {
    static func quote(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
