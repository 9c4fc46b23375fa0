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
/// Why async, with the pipes read and the exit awaited on threads of their own: the cooperative
/// pool has as many threads as cores (two on CI). A test that blocked one of them on a child
/// process (`psql` waiting on a lock, a CLI talking to an in-process server) could take the
/// last thread that the child's counterpart needed, and the whole run sat at 0 % CPU.
///
/// Why `posix_spawn` and a blocking `waitpid` rather than Foundation's `Process`: Foundation
/// learns of a child's exit from SIGCHLD and sometimes misses it, leaving its termination
/// handler uncalled and a waiter suspended for ever. A thread in `waitpid` for one pid cannot
/// miss it. The child is killed once `limit` passes, and the call throws `TestTimeout`.
///
/// With `stopWhen`, the standard output read so far is handed to it after each chunk; once it
/// returns true the child is sent SIGTERM: for a client of a stream that never ends by itself.
public func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                       currentDirectory: URL? = nil, limit: Duration = .seconds(600),
                       stopWhen: (@Sendable (String) -> Bool)? = nil) async throws -> ProcessResult {
    var argv = [executable.path] + arguments
    if let currentDirectory {
        argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", currentDirectory.path] + argv
    }
    let merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let child = try SpawnedChild(argv: argv, environment: merged.map { "\($0.key)=\($0.value)" })

    let timedOut = Atomic<Bool>(false)
    let pid = child.pid
    let watchdog = DispatchWorkItem {
        timedOut.store(true, ordering: .relaxed)
        kill(pid, SIGKILL)
    }
    DispatchQueue.global().asyncAfter(deadline: .now() + limit.timeInterval, execute: watchdog)
    defer { watchdog.cancel() }

    async let outData = readToEnd(child.stdout) { text in
        if let stopWhen, stopWhen(text) { kill(pid, SIGTERM) }
    }
    async let errData = readToEnd(child.stderr)
    let (stdout, stderr) = await (outData, errData)
    let status = await child.exitStatus()
    if timedOut.load(ordering: .relaxed) {
        throw TestTimeout("`\(([executable.lastPathComponent] + arguments).joined(separator: " ").prefix(300))` to exit", limit: limit)
    }
    let signalled = status & 0x7f != 0 && status & 0x7f != 0x7f
    return ProcessResult(
        status: signalled ? status & 0x7f : (status >> 8) & 0xff,
        crashed: signalled,
        stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderr, as: UTF8.self)
    )
}

/// glibc's `pipe2`, which the Glibc module does not export. Close-on-exec from the start: a
/// child spawned by another thread in between must not inherit the write end, or the reader
/// here would never see the end of the output.
@_silgen_name("pipe2")
private func systemPipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

/// A child started with `posix_spawn`, its standard output and error on pipes, stdin empty.
private struct SpawnedChild {
    let pid: pid_t
    let stdout: Int32
    let stderr: Int32

    init(argv: [String], environment: [String]) throws {
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
        guard systemPipe2(&out, O_CLOEXEC) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        guard systemPipe2(&err, O_CLOEXEC) == 0 else {
            close(out[0]); close(out[1])
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        // A child of a test process must not inherit a blocked SIGTERM or an ignored SIGPIPE.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, cEnvironment)
        close(out[1])
        close(err[1])
        guard spawned == 0 else {
            close(out[0]); close(err[0])
            throw POSIXError(.init(rawValue: spawned) ?? .EIO)
        }
        self.pid = pid
        self.stdout = out[0]
        self.stderr = err[0]
    }

    /// The raw wait status, from `waitpid` on a thread of its own.
    func exitStatus() async -> Int32 {
        let pid = self.pid
        return await withCheckedContinuation { continuation in
            Thread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                continuation.resume(returning: status)
            }.start()
        }
    }
}

/// Reads `fd` to its end on a thread of its own, never on the cooperative pool, showing
/// `progress` the text so far after each chunk when given; closes `fd`.
private func readToEnd(_ fd: Int32, progress: (@Sendable (String) -> Void)? = nil) async -> Data {
    await withCheckedContinuation { continuation in
        Thread {
            var data = Data()
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                data.append(contentsOf: buffer[..<count])
                progress?(String(decoding: data, as: UTF8.self))
            }
            close(fd)
            continuation.resume(returning: data)
        }.start()
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
