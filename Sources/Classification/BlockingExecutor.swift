import Dispatch

/// Runs blocking C calls (a model's forward pass) on a dedicated serial queue.
///
/// ONNX Runtime blocks its calling thread for the whole batch. Doing that on Swift's
/// cooperative pool, which has one thread per core, would starve the decoding tasks that are
/// meant to overlap with inference; a dedicated queue keeps them running.
public struct BlockingExecutor: Sendable {
    let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    public func run<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(E) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
