import Foundation
import Synchronization

/// Threads of the process's own that run CPU-heavy work in arrival order, at a lower scheduling
/// priority than everything else in the process.
///
/// Why not Dispatch: decoding saturates every core under load, and at equal priority the
/// kernel shares the cores fairly between the decoders and the threads that accept
/// connections and answer: with 200 uploads arriving on 2 cores, `/healthz` waited up to
/// 0.27 s for its turn. A raised nice value (set once, by each thread, for itself: no privilege
/// needed) lets the event loops and the shared pool run first whenever they have work, and
/// costs nothing when the cores are otherwise idle. Dispatch's threads are shared with other
/// queues and cannot be re-prioritised for our work alone.
///
/// Threads start with the first work that needs them, up to `count`, and live as long as the
/// process (as Dispatch's do).
final class BackgroundThreads: Sendable {
    typealias Job = @Sendable () -> Void

    private struct State {
        var jobs: [Job] = []
        var head = 0
        var started = 0
    }

    let count: Int
    let name: String
    /// Added to each thread's nice value (0 to 19).
    let niceness: Int32
    private let state = Mutex(State())
    /// Signalled once for every job enqueued; a thread takes one job a wait.
    private let available = DispatchSemaphore(value: 0)

    init(count: Int, name: String, niceness: Int32) {
        self.count = max(1, count)
        self.name = name
        self.niceness = min(19, max(0, niceness))
    }

    /// Runs `work` on one of the threads and returns its result.
    func run<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            enqueue {
                do throws(E) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    private func enqueue(_ job: @escaping Job) {
        let newThread: Int? = state.withLock { state in
            state.jobs.append(job)
            guard state.started < count else { return nil }
            state.started += 1
            return state.started
        }
        if let newThread {
            Thread { [self] in loop(named: "\(name)-\(newThread)") }.start()
        }
        available.signal()
    }

    private func loop(named threadName: String) {
        // Named from inside: Foundation then names the kernel thread too (what `top -H` and
        // `perf` show); set before `start()`, the kernel kept the creator's name.
        Thread.current.name = threadName
        // Linux: PRIO_PROCESS with 0 is the calling thread alone. A thread starts with its
        // creator's nice value; raising it needs no privilege (lowering it would).
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        setpriority(which, 0, min(19, getpriority(which, 0) + niceness))
        while true {
            available.wait()
            let job = state.withLock { state -> Job in
                let job = state.jobs[state.head]
                state.head += 1
                // Compact now and then, so the array does not grow with every job ever run.
                if state.head >= 64, state.head * 2 >= state.jobs.count {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
            job()
        }
    }
}
