import Hashing
import Hummingbird
import Multipart
import NIOCore

/// The parts of a `multipart/form-data` request that a route wants, read one by one as the body
/// arrives, so a batch's images can be stored while the rest is still on the wire.
///
/// Memory stays bounded by what is kept, not by the body: parts the route does not want are
/// skipped as they stream past, a kept part stops growing at `maxFileBytes` (it is then reported
/// as over the limit, without its bytes), and bytes are given back to the request's
/// `BodyReservation` as soon as they are dropped. A part handed out stays in the reservation
/// until its holder gives it back (or the request ends).
struct MultipartFiles {
    struct File: Sendable {
        var head: MultipartPartHead
        var bytes: [UInt8]
        /// The part's size when it was over `maxFileBytes`; its bytes are then empty.
        var oversize: Int?
        /// Hashed as the bytes arrive (see `ImageUpload.Image`).
        var hasher = ContentHasher()

        var sha256: ContentHash { hasher.finalize() }
    }

    private var chunks: RequestBody.AsyncIterator
    private var reader: MultipartReader
    private let keep: @Sendable (MultipartPartHead) -> Bool
    private let limit: Int
    private let maxFileBytes: Int
    private let reservation: BodyReservation?
    private var received = 0
    private var sinceYield = 0
    private var current: File?
    private var ready: [File] = []
    private var ended = false
    /// Bytes this reader holds in the reservation: the reader's buffer, the part being read and
    /// the parts read but not yet handed out.
    private var held = 0
    /// False once the route has what it needs: the rest of the body is read and dropped.
    private var keeping = true

    init(body: RequestBody, boundary: String, limit: Int, maxFileBytes: Int, maxParts: Int, reservation: BodyReservation?,
         keep: @escaping @Sendable (MultipartPartHead) -> Bool) throws(APIError) {
        do {
            reader = try MultipartReader(boundary: boundary, limits: MultipartReader.Limits(maxParts: maxParts))
        } catch {
            throw APIError.multipart(error)
        }
        chunks = body.makeAsyncIterator()
        self.keep = keep
        self.limit = limit
        self.maxFileBytes = maxFileBytes
        self.reservation = reservation
    }

    /// The next kept part, in body order; nil once the body is complete.
    mutating func next() async throws(APIError) -> File? {
        while ready.isEmpty, !ended {
            try await readChunk()
        }
        guard !ready.isEmpty else { return nil }
        let file = ready.removeFirst()
        held -= file.bytes.count
        return file
    }

    /// Reads the rest of the body without keeping any of it (it must still be well formed).
    mutating func skipRest() async throws(APIError) {
        keeping = false
        let dropped = (current?.bytes.count ?? 0) + ready.reduce(0) { $0 + $1.bytes.count }
        current = nil
        ready = []
        held -= dropped
        reservation?.give(dropped)
        while !ended { try await readChunk() }
    }

    private mutating func readChunk() async throws(APIError) {
        let chunk: ByteBuffer?
        do {
            chunk = try await chunks.next()
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.badRequest("body_unreadable", "the request body could not be read: \(error)")
        }
        guard let chunk else {
            ended = true
            do throws(MultipartError) { try reader.finish() } catch { throw APIError.multipart(error) }
            if let current { ready.append(current) }
            current = nil
            return
        }
        guard received + chunk.readableBytes <= limit else { throw APIError.tooLarge(limit: limit) }
        received += chunk.readableBytes
        try reservation?.take(chunk.readableBytes)
        held += chunk.readableBytes

        var current = self.current, ready = self.ready
        let (keep, keeping, maxFileBytes) = (self.keep, self.keeping, self.maxFileBytes)
        do throws(MultipartError) {
            try reader.read(chunk.readableBytesView) { event in
                switch event {
                case .head(let head):
                    current = keeping && keep(head) ? File(head: head, bytes: []) : nil
                case .bytes(let bytes):
                    guard var file = current else { return }
                    current = nil  // one owner of the bytes while they grow
                    let size = (file.oversize ?? file.bytes.count) + bytes.count
                    if size > maxFileBytes {
                        file.bytes = []
                        file.oversize = size
                    } else {
                        file.bytes.append(contentsOf: bytes)
                        file.hasher.update(bytes)
                    }
                    current = file
                case .end:
                    if let file = current { ready.append(file) }
                    current = nil
                }
            }
        } catch {
            throw APIError.multipart(error)
        }
        self.current = current
        self.ready = ready
        let nowHeld = reader.bufferedBytes + (current?.bytes.count ?? 0) + ready.reduce(0) { $0 + $1.bytes.count }
        reservation?.give(held - nowHeld)
        held = nowHeld
        sinceYield += chunk.readableBytes
        if sinceYield >= ImageUpload.yieldEvery {  // see there
            sinceYield = 0
            await Task.yield()
        }
    }
}
