#if canImport(Glibc)
import Glibc
#endif
import Foundation

extension ThreadSplit {
    /// The cores this process may actually use: the CPU affinity mask (`taskset`, cpusets),
    /// capped by a cgroup v2 CPU quota (a Kubernetes CPU limit), rather than the machine's count,
    /// which would oversubscribe a pod limited to 2 of 64 cores.
    public static var availableCores: Int {
        var cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #if os(Linux)
        // Glibc's module map hides sched_getaffinity (it needs _GNU_SOURCE); the kernel prints
        // the same mask in /proc, as a list such as "0-3,8".
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) {
            let count = line.dropFirst("Cpus_allowed_list:".count).split(separator: ",").reduce(0) { total, range in
                let bounds = range.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                return total + (bounds.count == 2 ? bounds[1] - bounds[0] + 1 : bounds.count)
            }
            if count > 0 { cores = min(cores, count) }
        }
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/cpu.max", encoding: .utf8) {
            let fields = text.split(whereSeparator: \.isWhitespace)
            if fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]), period > 0 {
                cores = min(cores, max(1, Int((quota / period).rounded(.up))))
            }
        }
        #endif
        return cores
    }
}
