import ServiceLifecycle
import Workers

/// A worker as a ServiceLifecycle service: graceful shutdown stops new claims, and the jobs in
/// hand are finished and recorded before `run` returns (`Worker.run`).
public struct WorkerService: Service, CustomStringConvertible {
    public let worker: Worker
    /// Called with what the worker did once it stops.
    let stopped: @Sendable (Worker.Summary) -> Void

    public init(_ worker: Worker, stopped: @escaping @Sendable (Worker.Summary) -> Void = { _ in }) {
        self.worker = worker
        self.stopped = stopped
    }

    public var description: String { "worker \(worker.owner)" }

    public func run() async throws {
        let summary = await cancelWhenGracefulShutdown { await worker.run() }
        stopped(summary)
    }
}
