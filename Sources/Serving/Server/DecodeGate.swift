import Classification
import ImageDecoding

/// The one way a request decodes an image: reserve its pixel memory from the process's
/// `DecodeBudget`, then a thread of the bounded `DecodePool`, then decode.
///
/// Why both, in that order: the pool bounds how many decodes run and wait, the budget bounds
/// how much memory they hold, which a count cannot (one 100-megapixel PNG needs as much as a
/// thousand phone photos). Reserving first means a decode waiting for memory holds no thread.
/// Every refusal is an answer the client can act on: 413 when the image alone exceeds the
/// budget, 503 with `Retry-After` when the budget stays spent, 429 when the queue is full.
struct DecodeGate: Sendable {
    let pool: DecodePool
    let budget: DecodeBudget
    /// How long a request waits for pixel memory before it is answered 503.
    let wait: Duration

    /// `work`'s value; its own errors are rethrown as they are, refusals as `APIError`.
    func run<T: Sendable, E: Error>(reserving bytes: Int, _ work: @escaping @Sendable () throws(E) -> T) async throws -> T {
        do {
            try await budget.reserve(bytes, waiting: wait)
        } catch {
            throw APIError.decodeRefused(error)
        }
        defer { budget.release(bytes) }
        do {
            return try await pool.run(work)
        } catch let full as DecodePool.Full {
            throw APIError(.tooManyRequests, code: "decode_queue_full", message: "the decode queue is full (\(full)); retry after 1 s", retryAfter: 1)
        }
    }
}

extension APIError {
    static func decodeRefused(_ refusal: DecodeBudget.Refusal) -> APIError {
        switch refusal {
        case .tooLarge:
            APIError(.contentTooLarge, code: "too_large_to_decode", message: refusal.description)
        case .busy:
            APIError(.serviceUnavailable, code: "decode_busy", message: refusal.description, retryAfter: 1)
        }
    }
}
