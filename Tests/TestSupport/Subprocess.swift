import Foundation
import Glibc
import Synchronization

/// The outcome of running a program to completion.
public struct ProcessResult: Sendable {
    public var status: Int32
    /// True when the process ended by a signal (a crash), not by exiting.
    public var crashed: Bool
    public var stdout: String
    public var stderr: String
}

/// A wait in a test that ran past its deadline: names what it was waiting for, so a hang fails
/// the test with a reason instead of stalling the run.
public struct TestTimeout: Error, CustomStringConvertible {
    public let what: String
    public let limit: Duration
    public init(_ what: String, limit: Duration) {
        self.what = what
        self.limit = limit
    }
    public var description: String { "gave up after \(limit) waiting for \(what)" }
}

/// Runs `executable` with `arguments`, collecting its output; stdin is empty.
///
/// Why async, with the pipes read and the exit awaited off the cooperative pool: the pool has
/// as many threads as cores (two on CI). A test that blocked one of them on a child process
/// — `psql` waiting on a lock, a CLI talking to an in-process server — could take the last
/// thread that the child's counterpart needed, and the whole run then sat at 0 % CPU. The child
/// is killed once `limit` passes, and the call throws `TestTimeout` naming the command.
///
/// With `stopWhen`, the standard output read so far is handed to it after each chunk; once it
/// returns true the child is sent SIGTERM: for a client of a stream that never ends by itself.
public func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                       currentDirectory: URL? = nil, limit: Duration = .seconds(600),
                       stopWhen: (@Sendable (String) -> Bool)? = nil) async throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    let exit = ExitSignal()
    process.terminationHandler = { _ in exit.fire() }
    try process.run()

    let timedOut = Atomic<Bool>(false)
    let pid = process.processIdentifier
    let watchdog = DispatchWorkItem {
        timedOut.store(true, ordering: .relaxed)
        kill(pid, SIGKILL)
    }
    DispatchQueue.global().asyncAfter(deadline: .now() + limit.timeInterval, execute: watchdog)
    defer { watchdog.cancel() }

    async let outData = readToEnd(out.fileHandleForReading) { text in
        if let stopWhen, stopWhen(text) { kill(pid, SIGTERM) }
    }
    async let errData = readToEnd(err.fileHandleForReading)
    let (stdout, stderr) = await (outData, errData)
    await exit.wait()
    if timedOut.load(ordering: .relaxed) {
        throw TestTimeout("`\(([executable.lastPathComponent] + arguments).joined(separator: " ").prefix(300))` to exit", limit: limit)
    }
    return ProcessResult(
        status: process.terminationStatus,
        crashed: process.terminationReason == .uncaughtSignal,
        stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderr, as: UTF8.self)
    )
}

/// Reads `handle` to its end on a thread of its own, never on the cooperative pool, showing
/// `progress` the text so far after each chunk when given.
private func readToEnd(_ handle: FileHandle, progress: (@Sendable (String) -> Void)? = nil) async -> Data {
    await withCheckedContinuation { continuation in
        Thread {
            guard let progress else { return continuation.resume(returning: handle.readDataToEndOfFile()) }
            var data = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                data += chunk
                progress(String(decoding: data, as: UTF8.self))
            }
            continuation.resume(returning: data)
        }.start()
    }
}

/// A one-shot signal that may fire before anyone waits on it.
private final class ExitSignal: Sendable {
    private let state = Mutex<(fired: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func fire() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.fired = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let fired = state.withLock { state -> Bool in
                if !state.fired { state.waiter = continuation }
                return state.fired
            }
            if fired { continuation.resume() }
        }
    }
}

/// Starts `executable` without waiting for it; its output goes to `log`, stdin is empty.
public func spawnProcess(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], log: URL) throws -> Process {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    FileManager.default.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    process.standardOutput = handle
    process.standardError = handle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return process
}

extension Process {
    /// Waits for the process to exit without holding a thread of the cooperative pool; past
    /// `limit` it is killed and `TestTimeout` names `what`. Once this returns, its
    /// `terminationStatus` can be read (reading it earlier traps).
    public func exited(within limit: Duration = .seconds(120), _ what: @autoclosure () -> String = "a child process to exit") async throws {
        let deadline = ContinuousClock.now + limit
        while isRunning {
            guard ContinuousClock.now < deadline else {
                kill(processIdentifier, SIGKILL)
                // Reap it so nothing later traps on a running process.
                while isRunning { try? await Task.sleep(for: .milliseconds(10)) }
                throw TestTimeout(what(), limit: limit)
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        // `isRunning` turns false when the child is reaped; the status is set by then.
        waitUntilExit()
    }

    /// SIGKILLs the process if it still runs and waits until it is reaped.
    public func killAndReap() async {
        if isRunning { kill(processIdentifier, SIGKILL) }
        try? await exited(within: .seconds(60), "a SIGKILLed process to be reaped")
    }
}

/// Polls `condition` until it holds; past `limit` the test fails with `what`.
///
/// Limits are generous (they catch hangs, not slowness): a starved 2-core machine can stall
/// for seconds, and speed is for the benchmarks to measure.
public func poll(_ what: @autoclosure () -> String, within limit: Duration = .seconds(60), every interval: Duration = .milliseconds(20),
                 _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestTimeout(what(), limit: limit) }
        try await Task.sleep(for: interval)
    }
}

/// Runs `body` under a deadline; past it, `body` is cancelled and `TestTimeout` names `what`.
/// For waits on servers, streams and sockets that honour cancellation.
public func within<T: Sendable>(_ limit: Duration, _ what: @autoclosure () -> String,
                                _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let description = what()
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TestTimeout(description, limit: limit)
        }
        return value
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`, for Foundation and Dispatch.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
