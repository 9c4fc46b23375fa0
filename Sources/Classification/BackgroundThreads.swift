import Foundation
import Synchronization

/// Threads of their own that run blocking or CPU-heavy work (decoding, a model's forward pass,
/// file writes) in arrival order, off Swift's cooperative pool, optionally at a lower scheduling
/// priority than the rest of the process.
///
/// Off the pool: it has one thread per core, and a decode or a forward pass parked on one of
/// them stalls every other task's continuation (HTTP, heartbeats, the cache-hit path).
///
/// Lower priority (`niceness`): decoding saturates every core under load, and at equal priority
/// the kernel shares the cores fairly between the decoders and the threads that accept
/// connections and answer: with 200 uploads arriving on 2 cores, `/healthz` waited up to 0.27 s
/// for its turn. A raised nice value (set by each thread for itself: no privilege needed) lets
/// the event loops and the shared pool run first whenever they have work, and costs nothing when
/// the cores are otherwise idle. Dispatch's threads are shared with other queues, so they cannot
/// be re-prioritised for our work alone.
///
/// Threads start with the first work that needs them, up to `count`, and end once this object
/// is gone and the work already given to them is done.
public final class BackgroundThreads: Sendable {
    public let count: Int
    public let name: String
    /// Added to each thread's nice value (0 to 19).
    public let niceness: Int32
    private let queue = JobQueue()

    /// - Parameter name: the threads are `name-1`, `name-2`, …; the kernel keeps 15 bytes.
    public init(count: Int, name: String, niceness: Int32 = 0) {
        self.count = max(1, count)
        self.name = name
        self.niceness = min(19, max(0, niceness))
    }

    deinit {
        queue.close()
    }

    /// Runs `work` on one of the threads and returns its result.
    public func run<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            let newThread = queue.add(startingThreadBelow: count) {
                do throws(E) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            if let newThread {
                // The thread holds the queue, not this object, so that dropping it ends them.
                let (queue, niceness, threadName) = (queue, niceness, "\(name)-\(newThread)")
                Thread { queue.serve(named: threadName, niceness: niceness) }.start()
            }
        }
        return try result.get()
    }
}

/// The jobs waiting for a `BackgroundThreads`, shared by its threads.
private final class JobQueue: Sendable {
    typealias Job = @Sendable () -> Void

    private struct State {
        var jobs: [Job] = []
        var head = 0
        var started = 0
        var closed = false
    }

    private let state = Mutex(State())
    /// Signalled once for every job, and once for every thread when the queue closes.
    private let available = DispatchSemaphore(value: 0)

    /// Adds `job`; returns the number of a thread to start when fewer than `limit` run.
    func add(startingThreadBelow limit: Int, _ job: @escaping Job) -> Int? {
        let newThread: Int? = state.withLock { state in
            state.jobs.append(job)
            guard state.started < limit else { return nil }
            state.started += 1
            return state.started
        }
        available.signal()
        return newThread
    }

    /// Lets every thread end once the jobs already added are done.
    func close() {
        let threads = state.withLock { state in
            state.closed = true
            return state.started
        }
        for _ in 0..<threads { available.signal() }
    }

    /// A thread's life: take jobs until the queue is closed and empty.
    func serve(named threadName: String, niceness: Int32) {
        // The kernel's name (what `top -H`, `perf` and /proc show), written by the thread for
        // itself. Foundation's `Thread.name` sets it only when the thread object already knows
        // its pthread, which races with the thread's start (a test saw the creator's name).
        try? String(threadName.utf8.prefix(15))!.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
        if niceness > 0 {
            // Linux: PRIO_PROCESS with 0 is the calling thread alone. A thread starts with its
            // creator's nice value; raising it needs no privilege (lowering it would).
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            setpriority(which, 0, min(19, getpriority(which, 0) + niceness))
        }
        while true {
            available.wait()
            let job = state.withLock { state -> Job? in
                guard state.head < state.jobs.count else { return nil }  // a close's signal
                let job = state.jobs[state.head]
                state.head += 1
                // Compact now and then, so the array does not grow with every job ever run.
                if state.head >= 64, state.head * 2 >= state.jobs.count {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
            guard let job else { return }
            job()
        }
    }
}
