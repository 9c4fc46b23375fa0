/// Why a multipart body was refused; each says what the client should send instead.
public enum MultipartError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The Content-Type's boundary is empty, longer than 70 characters or has characters RFC 2046 forbids.
    case badBoundary
    /// The body never contains the boundary the Content-Type declares.
    case noDelimiter
    /// The body ended before the closing boundary.
    case truncated
    case malformed(String)
    case tooManyParts(limit: Int)
    case headersTooLarge(limit: Int)
    case nameTooLong(limit: Int)

    public var description: String {
        switch self {
        case .badBoundary: "the multipart boundary must be 1 to 70 letters, digits or '()+_,-./:=? (RFC 2046)"
        case .noDelimiter: "the body never contains the boundary its Content-Type declares; send the form as the client library builds it"
        case .truncated: "the multipart body ended before its closing boundary; send the whole form"
        case .malformed(let reason): "the multipart body is malformed: \(reason)"
        case .tooManyParts(let limit): "the form has more than \(limit) parts; split it into several requests"
        case .headersTooLarge(let limit): "a part's headers are over \(limit) bytes; send only Content-Disposition and Content-Type"
        case .nameTooLong(let limit): "a part's name or file name is over \(limit) bytes; shorten it"
        }
    }
}
