import Hashing
import Hummingbird
import ImageDecoding
import Multipart
import NIOCore

/// The image bytes of an upload: the raw body, or the file parts of a multipart form.
///
/// Formats are judged by the bytes (the decoder sniffs them), not by the declared type, which
/// clients get wrong; the content type only decides how to find the bytes. A missing type,
/// octet-stream and `application/x-www-form-urlencoded` (what `curl --data-binary` sends unless
/// told otherwise, so the demo's first command works) are raw bytes too; anything that is
/// neither those, an image type nor multipart is refused up front with 415.
enum ImageUpload {
    static let rawTypes: Set<String> = Set(ImageFormat.acceptedMediaTypes + ["application/octet-stream", "application/x-www-form-urlencoded"])

    /// An uploaded image, with the hash of its bytes taken as they arrived.
    ///
    /// Chunk by chunk, between `read`'s yields, so no turn on the threads every request shares
    /// hashes a whole 20 MB body at once (tens of milliseconds); the answer's hash is the cache
    /// key, so every upload needs it anyway.
    struct Image {
        var bytes: [UInt8]
        var sha256: ContentHash
    }

    /// Reads the whole body: at most `limit` bytes (a larger Content-Length is refused before
    /// reading, and so is one the server's budget has no room for now), each chunk taken from the
    /// request's `BodyReservation` as it arrives (503 when the server's budget is spent, 408 past
    /// the body deadline).
    ///
    /// Copied once, into an array sized from Content-Length when there is one: a 20 MB upload
    /// grown by doubling, then copied out of its buffer, was three copies on the threads every
    /// request shares.
    static func bytes(of request: inout Request, limit: Int, context: ServingContext) async throws -> [UInt8] {
        try await read(&request, limit: limit, context: context) { _ in }
    }

    /// The one image of an upload: the raw body, or the form's first file part (else its first
    /// part named `image` or `file`; never another text field).
    static func image(in request: inout Request, limit: Int, context: ServingContext) async throws -> Image {
        let mediaType = try mediaType(of: request)
        guard mediaType == "multipart/form-data" else {
            var hasher = ContentHasher()
            let bytes = try await read(&request, limit: limit, context: context) { hasher.update($0) }
            guard !bytes.isEmpty else { throw APIError.undecodable("empty", "the body is empty; send the image bytes") }
            return Image(bytes: bytes, sha256: hasher.finalize())
        }
        var parts = try await multipart(&request, limit: limit, maxFileBytes: limit, maxParts: 1000, context: context) {
            $0.filename != nil || ["image", "file"].contains($0.name ?? "")
        }
        var chosen: MultipartFiles.File?
        while let part = try await parts.next() {
            if part.head.filename != nil {
                chosen = part
                break
            }
            chosen = chosen ?? part
        }
        try await parts.skipRest()
        request.body = .init(buffer: ByteBuffer())
        guard let chosen else {
            throw APIError.badRequest("no_image", "the form has no file part; send the image as a form file")
        }
        return Image(bytes: chosen.bytes, sha256: chosen.sha256)
    }

    /// Body bytes a request handles between yields of its thread. Chunks already buffered are
    /// handed out without suspending, so under load one upload could copy and hash megabytes
    /// in one go while every other request waited its turn on the same few threads: with 200
    /// uploads arriving, `/healthz` took up to 0.4 s. Yielding every 256 KiB keeps each turn
    /// to about a tenth of a millisecond.
    static let yieldEvery = 256 * 1024

    private static func read(_ request: inout Request, limit: Int, context: ServingContext,
                             each: (ByteBufferView) -> Void) async throws -> [UInt8] {
        let declared = try declaredLength(of: request, limit: limit)
        var collected: [UInt8] = []
        collected.reserveCapacity(min(declared ?? 0, limit))
        var sinceYield = 0
        try context.body?.admit(declaredLength: declared)
        await context.body?.beginReading()
        for try await chunk in request.body {
            guard collected.count + chunk.readableBytes <= limit else { throw APIError.tooLarge(limit: limit) }
            try context.body?.take(chunk.readableBytes)
            collected.append(contentsOf: chunk.readableBytesView)
            each(chunk.readableBytesView)
            sinceYield += chunk.readableBytes
            if sinceYield >= yieldEvery {
                sinceYield = 0
                await Task.yield()
            }
        }
        request.body = .init(buffer: ByteBuffer())
        return collected
    }

    /// The parts `keep` accepts of a multipart body, read as it arrives (see `MultipartFiles`).
    static func multipart(_ request: inout Request, limit: Int, maxFileBytes: Int, maxParts: Int, context: ServingContext,
                          keep: @escaping @Sendable (MultipartPartHead) -> Bool) async throws(APIError) -> MultipartFiles {
        try declaredLength(of: request, limit: limit)
        guard let boundary = request.headers[.contentType].flatMap({ MultipartPartHead.parameters(of: $0)["boundary"] }) else {
            throw APIError.badRequest("bad_multipart", "multipart/form-data needs a boundary parameter")
        }
        await context.body?.beginReading()
        return try MultipartFiles(body: request.body, boundary: boundary, limit: limit, maxFileBytes: maxFileBytes,
                                  maxParts: maxParts, reservation: context.body, keep: keep)
    }

    /// The declared Content-Length, refused (413) before any byte is read when over `limit`.
    @discardableResult
    static func declaredLength(of request: Request, limit: Int) throws(APIError) -> Int? {
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > limit { throw APIError.tooLarge(limit: limit) }
        return declared
    }

    /// The body's media type, lower-cased; 415 unless it is raw image bytes or multipart.
    static func mediaType(of request: Request) throws(APIError) -> String {
        let contentType = request.headers[.contentType] ?? "application/octet-stream"
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard rawTypes.contains(mediaType) || mediaType.isEmpty || mediaType == "multipart/form-data" else {
            throw APIError.unsupportedMedia(mediaType)
        }
        return mediaType
    }
}
