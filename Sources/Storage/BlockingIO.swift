import Dispatch

/// Runs blocking file-system work, and the hashing of whole objects, off Swift's cooperative
/// thread pool.
///
/// The pool has one thread per core (two on our machines); a 20 MB write plus fsync parked on
/// one of them would stall every other task, HTTP and inference included. Dispatch's global
/// queue grows threads for blocking work instead.
enum BlockingIO {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws(StorageError) -> T) async throws(StorageError) -> T {
        if Task.isCancelled { throw .cancelled }
        let result: Result<T, StorageError> = await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(returning: Result { () throws(StorageError) -> T in try work() })
            }
        }
        return try result.get()
    }
}
