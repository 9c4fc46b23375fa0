import Hummingbird
import MultipartKit
import NIOCore

/// The image bytes of an upload: the raw body, or the file parts of a multipart form.
///
/// Formats are judged by the bytes (the decoder sniffs them), not by the declared type, which
/// clients get wrong; the content type only decides how to find the bytes. A missing type,
/// octet-stream and `application/x-www-form-urlencoded` (what `curl --data-binary` sends unless
/// told otherwise, so the demo's first command works) are raw bytes too; anything that is
/// neither those, an image type nor multipart is refused up front with 415.
enum ImageUpload {
    static let rawTypes: Set<String> = [
        "image/jpeg", "image/jpg", "image/png", "image/webp", "application/octet-stream", "application/x-www-form-urlencoded",
    ]

    /// Reads the body: at most `limit` bytes (a larger Content-Length is refused before
    /// reading), each chunk taken from the server's body budget as it arrives (503 when the
    /// budget is spent), and all of it within `deadline` (408 past it).
    ///
    /// Why a deadline on the whole body: the connection's idle timeout ends a client that sends
    /// nothing, but not one that sends a byte just inside it, which can hold a connection and
    /// its bytes for hours. The deadline is checked as chunks arrive; a client that stops
    /// sending is then ended by the idle timeout, so no body outlives deadline + idle timeout.
    static func body(of request: inout Request, limit: Int, context: ServingContext, deadline: Duration) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError.tooLarge(limit: limit)
        }
        let start = ContinuousClock.now
        var collected = ByteBuffer()
        for try await chunk in request.body {
            guard collected.readableBytes + chunk.readableBytes <= limit else { throw APIError.tooLarge(limit: limit) }
            if let reservation = context.body, !reservation.take(chunk.readableBytes) {
                throw APIError(.serviceUnavailable, code: "busy",
                               message: "the server is holding as many upload bytes as it may (limits.max_inflight_bytes); retry", retryAfter: 1)
            }
            collected.writeImmutableBuffer(chunk)
            if ContinuousClock.now - start > deadline {
                throw APIError(.requestTimeout, code: "body_too_slow",
                               message: "the body did not arrive within \(deadline) (limits.body_deadline_s); send it faster or in smaller requests")
            }
        }
        request.body = .init(buffer: collected)
        return collected
    }

    /// Files in the body, in order: one for a raw body; each part named `field` (or, for a single
    /// image, the first part with a file name or any name) for multipart.
    static func files(in request: inout Request, limit: Int, field: String?, context: ServingContext,
                      deadline: Duration) async throws -> [(name: String?, bytes: [UInt8])] {
        let contentType = request.headers[.contentType] ?? "application/octet-stream"
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if rawTypes.contains(mediaType) || mediaType.isEmpty {
            let buffer = try await body(of: &request, limit: limit, context: context, deadline: deadline)
            guard buffer.readableBytes > 0 else { throw APIError.undecodable("empty", "the body is empty; send the image bytes") }
            return [(nil, Array(buffer: buffer))]
        }
        guard mediaType == "multipart/form-data" else { throw APIError.unsupportedMedia(mediaType) }
        guard let boundary = boundary(contentType) else {
            throw APIError.badRequest("bad_multipart", "multipart/form-data needs a boundary parameter")
        }
        let buffer = try await body(of: &request, limit: limit, context: context, deadline: deadline)
        let parts = try parse(buffer, boundary: boundary)
        // Many files: every part of that field. One image: the first file part, else a part
        // named as an image would be; never a plain text field.
        let chosen = field.map { name in parts.filter { $0.name == name } }
            ?? Array((parts.first { $0.filename != nil } ?? parts.first { ["image", "file"].contains($0.name ?? "") }).map { [$0] } ?? [])
        guard !chosen.isEmpty else {
            throw APIError.badRequest("no_image", "the form has no \(field.map { "'\($0)' " } ?? "")file part; send the image as a form file")
        }
        // Many files: each must be a file part (a filename), as every browser and `curl -F
        // images=@photo.jpg` sends; a plain text field under that name is a client's mistake.
        if let field, let text = chosen.first(where: { $0.filename == nil }) {
            throw APIError.badRequest("not_a_file", "a '\(field)' part without a filename is a text field, not a file (\(text.bytes.count) bytes); send each image as a form file")
        }
        return chosen.map { ($0.filename, $0.bytes) }
    }

    struct Part {
        var name: String?
        var filename: String?
        var bytes: [UInt8]
    }

    static func parse(_ buffer: ByteBuffer, boundary: String) throws(APIError) -> [Part] {
        let parser = MultipartParser(boundary: boundary)
        var parts: [Part] = []
        var current = Part(name: nil, filename: nil, bytes: [])
        parser.onHeader = { name, value in
            guard name.lowercased() == "content-disposition" else { return }
            current.name = parameter("name", in: value)
            current.filename = parameter("filename", in: value)
        }
        parser.onBody = { body in current.bytes += body.readableBytesView }
        parser.onPartComplete = {
            parts.append(current)
            current = Part(name: nil, filename: nil, bytes: [])
        }
        do {
            try parser.execute(buffer)
        } catch {
            throw .badRequest("bad_multipart", "the multipart body is malformed: \(error)")
        }
        return parts
    }

    static func boundary(_ contentType: String) -> String? {
        parameter("boundary", in: contentType)
    }

    /// A `key=value` or `key="value"` parameter of a header value.
    static func parameter(_ key: String, in value: String) -> String? {
        for piece in value.split(separator: ";") {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            var text = pair[1].trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
            return text
        }
        return nil
    }
}
