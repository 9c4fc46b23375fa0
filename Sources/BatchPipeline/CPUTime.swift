#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU seconds consumed, to report how a run's CPU split between decoding and the model.
enum CPUTime {
    /// The calling thread's CPU time. Decoding is synchronous, so the difference around it is
    /// the decode's own cost even while other threads (the model's) share the cores.
    static func thread() -> Double { clock(CLOCK_THREAD_CPUTIME_ID) }

    /// The whole process's CPU time, every thread included.
    static func process() -> Double { clock(CLOCK_PROCESS_CPUTIME_ID) }

    static func clock(_ id: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(id, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
